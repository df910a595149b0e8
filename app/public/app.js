// The member directory's small client: rename and delete your own account with fetch. Login, logout and
// registration are plain forms and work without this script. Names are only ever set with textContent.
//
// Every sentence it shows comes from the page, in the page's language: the API answers errors as
// { error: { code, message } } with a message for developers, and the page's #message element carries the
// reader's sentence for each code (data-errors, JSON), one for an unknown code and one for a server out of reach.

const message = document.getElementById('message');
const sentences = readSentences(message);

function readSentences(element) {
  let errors = {};
  try {
    errors = JSON.parse(element?.dataset.errors ?? '{}');
  } catch {
    // A page without the table still says something: the generic sentence.
  }
  return { errors, unknown: element?.dataset.unknown ?? '', offline: element?.dataset.offline ?? '' };
}

/** The reader's sentence for an API error code. */
function sentenceFor(code) {
  return typeof code === 'string' && Object.hasOwn(sentences.errors, code) ? sentences.errors[code] : sentences.unknown;
}

function showError(text) {
  if (!message) return;
  message.textContent = text;
  message.hidden = false;
}

async function errorCode(response) {
  try {
    const body = await response.json();
    return body?.error?.code;
  } catch {
    return undefined;
  }
}

/** Sends a request; resolves to the response when it is a success, else rejects with the sentence to show. */
async function send(method, url, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error(sentences.offline);
  }
  if (!response.ok) throw new Error(sentenceFor(await errorCode(response)));
  return response;
}

function startRename(row, button) {
  const nameEl = row.querySelector('.name');
  const input = document.createElement('input');
  input.name = 'name';
  input.value = nameEl.textContent;
  input.maxLength = 32;
  input.required = true;
  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'save';
  save.textContent = button.dataset.save;
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'cancel';
  cancel.textContent = button.dataset.cancel;

  const actions = row.querySelector('.actions');
  const original = [...actions.childNodes];
  nameEl.replaceWith(input);
  actions.replaceChildren(save, cancel);
  input.focus();

  const restore = () => {
    input.replaceWith(nameEl);
    actions.replaceChildren(...original);
  };
  cancel.addEventListener('click', restore);
  const submit = async () => {
    try {
      await send('PATCH', `/users/${encodeURIComponent(row.dataset.id)}`, { name: input.value });
      location.reload();
    } catch (err) {
      showError(err.message);
    }
  };
  save.addEventListener('click', submit);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') submit();
    if (event.key === 'Escape') restore();
  });
}

async function remove(row, button) {
  if (!confirm(button.dataset.confirm)) return;
  try {
    await send('DELETE', `/users/${encodeURIComponent(row.dataset.id)}`);
    location.assign('/');
  } catch (err) {
    showError(err.message);
  }
}

document.getElementById('members')?.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const row = button?.closest('li[data-id]');
  if (!button || !row) return;
  if (button.classList.contains('edit')) startRename(row, button);
  else if (button.classList.contains('remove')) remove(row, button);
});
