// Moves focus to the error summary so keyboard and screen-reader users hear the problems
// first, as the NHS error-summary pattern asks. Pages work without this script.
const summary = document.querySelector('.nhsuk-error-summary');
if (summary) {
  summary.focus();
}

// A "Print" button (data-app-print) opens the browser's print dialogue. Without scripts
// the button does nothing and the page's words say to use the browser's own print.
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.addEventListener('click', () => window.print());
}
