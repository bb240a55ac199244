// Moves focus to the error summary so keyboard and screen-reader users hear the problems
// first, as the NHS error-summary pattern asks. Pages work without this script.
const summary = document.querySelector('.nhsuk-error-summary');
if (summary) {
  summary.focus();
}
