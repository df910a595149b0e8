// The front end of restServer.ts: the book's restFront.js with fetch instead of axios. Names are set with
// textContent, never innerHTML, so a name like <img onerror=…> stays text.
const list = document.getElementById('list');
const message = document.getElementById('message');

async function call(method, url, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new Error(answer.error?.message ?? `HTTP ${response.status}`);
  }
  return response.status === 204 ? undefined : response.json();
}

function show(error) {
  message.textContent = error ? error.message : '';
  message.hidden = !error;
}

async function getUser() {
  try {
    const users = await call('GET', '/users');
    list.replaceChildren();
    for (const [id, name] of Object.entries(users)) {
      const row = document.createElement('div');
      const span = document.createElement('span');
      span.textContent = name;
      const edit = document.createElement('button');
      edit.textContent = '수정';
      edit.addEventListener('click', async () => {
        const next = prompt('바꿀 이름을 입력하세요');
        if (!next) return alert('이름을 반드시 입력하셔야 합니다');
        try {
          await call('PUT', `/user/${encodeURIComponent(id)}`, { name: next });
          show();
          await getUser();
        } catch (err) {
          show(err);
        }
      });
      const remove = document.createElement('button');
      remove.textContent = '삭제';
      remove.addEventListener('click', async () => {
        try {
          await call('DELETE', `/user/${encodeURIComponent(id)}`);
          show();
          await getUser();
        } catch (err) {
          show(err);
        }
      });
      row.append(span, edit, remove);
      list.append(row);
    }
  } catch (err) {
    show(err);
  }
}

window.addEventListener('load', getUser);
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = event.target.username;
  const name = input.value;
  if (!name.trim()) return alert('이름을 입력하세요');
  try {
    await call('POST', '/user', { name });
    input.value = '';
    show();
    await getUser();
  } catch (err) {
    show(err);
  }
});
