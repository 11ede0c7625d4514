// H2.9.2 connected page: run either Employment Hero sync (POST /sync/*, H2.3) with the CSRF token.
'use strict';

(function () {
  const A = window.Allot;
  document.querySelectorAll('button[data-sync]').forEach(function (button) {
    button.addEventListener('click', async function () {
      const out = document.getElementById('sync-status');
      out.textContent = 'Running ' + button.dataset.sync + '…';
      button.disabled = true;
      const result = await A.api('POST', button.dataset.sync);
      button.disabled = false;
      out.textContent = result.ok
        ? button.dataset.sync + ' finished: ' + JSON.stringify(result.json)
        : button.dataset.sync + ' failed: ' + ((result.json && result.json.error && result.json.error.code) || result.status);
    });
  });
})();
