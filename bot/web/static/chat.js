// The web chat, better with JavaScript: the invite's code is read from the address's
// fragment (never sent to a server log), and answers go by fetch, so the page does not
// reload. Nothing is stored in the browser: no transcript, no localStorage.
// GOV.UK Frontend's components (Exit this page's keyboard shortcut); the chat works without.
import("/assets/govuk-frontend.min.js")
  .then((frontend) => frontend.initAll())
  .catch(() => {});

const log = document.getElementById("messages");
const startForm = document.getElementById("start-form");

if (startForm) {
  const invite = new URLSearchParams(location.hash.slice(1)).get("invite");
  history.replaceState(null, "", location.pathname); // the code leaves the address bar
  if (invite) {
    startForm.elements.code.value = invite;
    startForm.submit();
  }
}

function say(text, who) {
  const line = document.createElement("p");
  line.className = `govuk-body companion-chat__${who}`;
  line.textContent = text;
  log.appendChild(line);
}

function choicesFor(buttons, csrf) {
  const holder = document.getElementById("choices");
  holder.replaceChildren();
  if (!buttons || !buttons.length) return;
  const row = document.createElement("div");
  const scale = buttons.length > 2 && buttons.every((b) => /^[0-9]+$/.test(b.payload));
  row.className = "companion-choices" + (scale ? " companion-choices--scale" : "");
  for (const choice of buttons) {
    const button = document.createElement("button");
    button.className = "govuk-button govuk-button--secondary";
    button.type = "button";
    button.textContent = choice.title;
    button.addEventListener("click", () => send(choice.payload, choice.title, csrf));
    row.appendChild(button);
  }
  holder.appendChild(row);
}

async function send(message, shown, csrf) {
  say(shown, "person");
  const body = new URLSearchParams({ message, csrf });
  let response;
  try {
    response = await fetch("/chat/say", {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    say("The chat is not answering just now. Please try again in a few minutes.", "bot");
    return false;
  }
  if (response.status === 401) {
    location.assign("/chat"); // the session ended: start again with the code
    return true;
  }
  const answer = await response.json();
  if (!response.ok) {
    say(answer.error, "bot");
    return false;
  }
  for (const reply of answer.replies) if (reply.text) say(reply.text, "bot");
  const last = answer.replies[answer.replies.length - 1];
  choicesFor(last && last.buttons, csrf);
  return true;
}

const sayForm = document.getElementById("say-form");
if (sayForm) {
  const csrf = sayForm.elements.csrf.value;
  for (const form of document.querySelectorAll("#choices form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = event.submitter;
      send(button.value, button.textContent, csrf);
    });
  }
  sayForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = sayForm.elements.message;
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    if (!(await send(text, text, csrf))) box.value = text; // nothing typed is lost
    box.focus();
  });
}
