// Shared helpers of the admin pages (http-api.md H6.1): JSON calls with the session's CSRF
// token from <meta name="csrf-token">, field errors next to their fields, workday counts.
'use strict';

window.Allot = (function () {
  function token() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : '';
  }

  async function api(method, path, body) {
    const options = {
      method: method,
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': token(), Accept: 'application/json' },
    };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    let json = null;
    try {
      json = await response.json();
    } catch (_) {
      json = null;
    }
    return { status: response.status, ok: response.ok, json: json };
  }

  function clearErrors(scope) {
    scope.querySelectorAll('.field-error').forEach(function (el) {
      el.textContent = '';
    });
  }

  // H0.9: `details.fields` maps a field to its code; other errors go to the status line.
  function showErrors(scope, result, statusEl) {
    clearErrors(scope);
    const error = (result.json && result.json.error) || {};
    const fields = (error.details && error.details.fields) || {};
    let shown = false;
    Object.keys(fields).forEach(function (name) {
      const el = scope.querySelector('.field-error[data-field="' + CSS.escape(name) + '"]');
      if (el) {
        el.textContent = fields[name].replace(/_/g, ' ');
        shown = true;
      }
    });
    if (statusEl) {
      statusEl.textContent = shown ? 'Please correct the marked fields.' : (error.message || 'The request failed (' + result.status + ').');
    }
  }

  // Monday–Friday dates in the inclusive range (H2.5 `workdays`).
  function workdays(start, end) {
    if (!start) return 0;
    const from = new Date(start + 'T00:00:00Z');
    const to = new Date((end || start) + 'T00:00:00Z');
    if (isNaN(from) || isNaN(to) || to < from) return 0;
    let count = 0;
    for (let d = new Date(from); d <= to; d.setUTCDate(d.getUTCDate() + 1)) {
      const day = d.getUTCDay();
      if (day !== 0 && day !== 6) count += 1;
    }
    return count;
  }

  return { api: api, clearErrors: clearErrors, showErrors: showErrors, workdays: workdays };
})();
