// Tells the NHS design system's CSS that scripts run (the design system's own snippet,
// kept in a file because the Content-Security-Policy allows no inline script). Loaded
// without defer at the top of <body>, so the class is set before the page is drawn.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
