// The chat and audit pages' only script (the CSP allows no inline script): the theme toggle,
// the approval countdown, and Enter-to-send. htmx and its SSE extension do the rest.
(function () {
  'use strict';
  const THEME = 'engine.theme';
  const root = document.documentElement;

  function applyTheme(theme) {
    if (theme === 'light') {
      root.dataset.theme = 'light';
    } else {
      delete root.dataset.theme;
    }
    const toggle = document.getElementById('theme-toggle');
    if (toggle) {
      toggle.textContent = theme === 'light' ? 'Dark mode' : 'Light mode';
      toggle.setAttribute('aria-pressed', String(theme === 'light'));
    }
  }

  function left(expiresAt) {
    const ms = Date.parse(expiresAt) - Date.now();
    if (!(ms > 0)) {
      return 'expired';
    }
    const total = Math.floor(ms / 1000);
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    return (minutes > 0 ? minutes + ' min ' : '') + seconds + ' s left';
  }

  function tick() {
    document.querySelectorAll('time.countdown[data-expires-at]').forEach(function (time) {
      time.textContent = left(time.dataset.expiresAt);
    });
  }

  applyTheme(localStorage.getItem(THEME));
  document.addEventListener('DOMContentLoaded', function () {
    applyTheme(localStorage.getItem(THEME));
    const toggle = document.getElementById('theme-toggle');
    if (toggle) {
      toggle.addEventListener('click', function () {
        const next = root.dataset.theme === 'light' ? 'dark' : 'light';
        localStorage.setItem(THEME, next);
        applyTheme(next);
      });
    }
    tick();
    setInterval(tick, 1000);
    toBottom();
  });

  // the newest answer is at the bottom, above the composer
  function toBottom() {
    if (document.getElementById('log')) {
      window.scrollTo(0, document.body.scrollHeight);
    }
  }
  document.addEventListener('htmx:sseMessage', toBottom);
  document.addEventListener('htmx:afterSettle', toBottom);

  // Enter sends, Shift+Enter adds a line
  document.addEventListener('keydown', function (event) {
    const target = event.target;
    if (target && target.id === 'message' && event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (target.value.trim() !== '') {
        target.form.requestSubmit();
      }
    }
  });

  // after a swap, focus the composer again when it is ready
  document.addEventListener('htmx:oobAfterSwap', function (event) {
    const fields = document.getElementById('composer-fields');
    if (fields && !fields.disabled && event.detail && event.detail.target === fields) {
      const message = document.getElementById('message');
      if (message) {
        message.focus();
      }
    }
    tick();
  });
})();
