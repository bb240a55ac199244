// While a rota is being solved, asks the API for its progress every second, moves the
// progress bar and says in words how far it is (the heading, and "Solving: 40 s of 60…");
// when the solve ends, reloads the page to show the rota. Without this script the page
// refreshes itself every 3 seconds (a <noscript> meta refresh).
(function () {
  const section = document.getElementById('rota-progress');
  if (!section) return;
  const id = section.dataset.rota;
  const bar = document.getElementById('rota-progress-bar');
  const text = document.getElementById('rota-progress-text');
  const heading = document.getElementById('progress-title');
  async function poll() {
    try {
      const response = await fetch('/api/rotas/' + encodeURIComponent(id), { credentials: 'same-origin' });
      if (response.ok) {
        const rota = await response.json();
        if (rota.status !== 'queued' && rota.status !== 'running') {
          window.location.reload();
          return;
        }
        const percent = Math.round((rota.progress || 0) * 100);
        bar.value = percent;
        bar.textContent = percent + '%';
        heading.textContent = rota.status === 'running' ? 'Being solved' : 'Waiting to start';
        if (rota.progress_text && text.textContent !== rota.progress_text) {
          text.textContent = rota.progress_text;
        }
      } else {
        // The API did not answer (logged out, or an older server): reload the page instead.
        window.location.reload();
        return;
      }
    } catch (e) {
      // A dropped connection: try again on the next tick.
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();
