// H6.3 `/closures/ui`: the Today picker, the Add Closure card (live workday count, tag chips)
// and inline edit / delete of table rows, all through the JSON API (H2.5).
'use strict';

(function () {
  const A = window.Allot;
  const form = document.getElementById('add-closure');
  const start = document.getElementById('c-start_date');
  const end = document.getElementById('c-end_date');
  const tags = document.getElementById('c-tags');
  const count = document.getElementById('workday-count');
  const status = document.getElementById('add-status');
  const today = document.getElementById('today');

  function splitTags(text) {
    return text.split(',').map(function (t) { return t.trim(); }).filter(function (t) { return t; });
  }

  function recount() {
    count.textContent = String(A.workdays(start.value, end.value));
  }

  // The reference date greys out closures that ended before it.
  function markPast() {
    document.querySelectorAll('#closures tbody tr').forEach(function (tr) {
      tr.classList.toggle('past', Boolean(today.value) && tr.dataset.end < today.value);
    });
  }

  start.addEventListener('input', recount);
  end.addEventListener('input', recount);
  start.addEventListener('change', recount);
  end.addEventListener('change', recount);
  today.addEventListener('change', markPast);

  document.querySelectorAll('.chip').forEach(function (chip) {
    chip.addEventListener('click', function () {
      const current = splitTags(tags.value);
      const tag = chip.dataset.tag;
      if (!current.some(function (t) { return t.toLowerCase() === tag.toLowerCase(); })) {
        current.push(tag);
      }
      tags.value = current.join(', ');
    });
  });

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    status.textContent = 'Saving…';
    const body = {
      start_date: start.value,
      description: document.getElementById('c-description').value,
      tags: splitTags(tags.value),
    };
    if (end.value) body.end_date = end.value;
    const result = await A.api('POST', '/closures', body);
    if (result.status === 201) {
      window.location.reload();
    } else {
      A.showErrors(form, result, status);
    }
  });

  function editRow(tr) {
    if (tr.querySelector('.inline-edit')) return;
    const cell = tr.querySelector('td.desc');
    const editor = document.createElement('div');
    editor.className = 'inline-edit';
    const tagInput = document.createElement('input');
    tagInput.type = 'text';
    tagInput.name = 'tags';
    tagInput.value = tr.dataset.tags || '';
    const descInput = document.createElement('input');
    descInput.type = 'text';
    descInput.name = 'description';
    descInput.maxLength = 200;
    descInput.value = tr.dataset.description || '';
    const tagError = document.createElement('span');
    tagError.className = 'field-error';
    tagError.dataset.field = 'tags';
    const descError = document.createElement('span');
    descError.className = 'field-error';
    descError.dataset.field = 'description';
    const save = document.createElement('button');
    save.type = 'button';
    save.className = 'save';
    save.textContent = 'Save';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'cancel';
    cancel.textContent = 'Cancel';
    const rowStatus = document.createElement('span');
    rowStatus.className = 'form-status';
    editor.append('Tags ', tagInput, tagError, ' Description ', descInput, descError, ' ', save, ' ', cancel, rowStatus);
    cell.append(editor);
    cancel.addEventListener('click', function () { editor.remove(); });
    save.addEventListener('click', async function () {
      const result = await A.api('PUT', '/closures/' + encodeURIComponent(tr.dataset.id), {
        tags: splitTags(tagInput.value),
        description: descInput.value,
      });
      if (result.ok) {
        window.location.reload();
      } else {
        A.showErrors(editor, result, rowStatus);
      }
    });
  }

  document.querySelectorAll('#closures tbody tr').forEach(function (tr) {
    tr.querySelector('button.edit').addEventListener('click', function () { editRow(tr); });
    tr.querySelector('button.delete').addEventListener('click', async function () {
      if (!window.confirm('Delete this closure?')) return;
      const result = await A.api('DELETE', '/closures/' + encodeURIComponent(tr.dataset.id));
      if (result.status === 204) {
        window.location.reload();
      } else {
        window.alert((result.json && result.json.error && result.json.error.message) || 'The closure was not deleted.');
      }
    });
  });

  recount();
  markPast();
})();
