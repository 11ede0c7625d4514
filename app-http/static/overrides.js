// H6.4 `/capacity_overrides/ui`: create or edit an override through the JSON API (H2.6) and
// delete with a confirmation.
'use strict';

(function () {
  const A = window.Allot;
  const form = document.getElementById('override-form');
  const status = document.getElementById('override-status');
  const field = function (name) { return document.getElementById('o-' + name); };
  let editing = null;

  function reset() {
    editing = null;
    form.reset();
    A.clearErrors(form);
    status.textContent = '';
    document.getElementById('override-submit').textContent = 'Save override';
  }

  function setAdviser(email) {
    const el = field('adviser_email');
    if (el.tagName === 'SELECT' && !Array.from(el.options).some(function (o) { return o.value === email; })) {
      const option = document.createElement('option');
      option.value = email;
      option.textContent = email;
      el.append(option);
    }
    el.value = email;
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    const body = {
      adviser_email: field('adviser_email').value,
      effective_date: field('effective_date').value,
      pod_type: field('pod_type').value,
      notes: field('notes').value,
    };
    const limit = field('client_limit_monthly').value;
    if (limit !== '') body.client_limit_monthly = Number(limit);
    const result = editing
      ? await A.api('PUT', '/capacity_overrides/' + encodeURIComponent(editing), body)
      : await A.api('POST', '/capacity_overrides', body);
    if (result.ok) {
      window.location.reload();
    } else {
      A.showErrors(form, result, status);
    }
  });

  document.getElementById('override-reset').addEventListener('click', reset);

  document.querySelectorAll('#overrides tbody tr').forEach(function (tr) {
    tr.querySelector('button.edit').addEventListener('click', function () {
      reset();
      editing = tr.dataset.id;
      setAdviser(tr.dataset.email);
      field('effective_date').value = tr.dataset.date;
      field('client_limit_monthly').value = tr.dataset.limit;
      field('pod_type').value = tr.dataset.pod;
      field('notes').value = tr.dataset.notes;
      document.getElementById('override-submit').textContent = 'Update override';
      form.scrollIntoView();
    });
    tr.querySelector('button.delete').addEventListener('click', async function () {
      if (!window.confirm('Delete this override?')) return;
      const result = await A.api('DELETE', '/capacity_overrides/' + encodeURIComponent(tr.dataset.id));
      if (result.status === 204) window.location.reload();
      else status.textContent = 'The override was not deleted (' + result.status + ').';
    });
  });
})();
