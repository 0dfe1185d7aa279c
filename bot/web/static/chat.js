// The web chat, better with JavaScript: the invite's code is read from the address's
// fragment (never sent to a server log), and answers go by fetch, so the page does not
// reload. Nothing is stored in the browser: no transcript, no localStorage.

// GOV.UK Frontend's components (Exit this page's keyboard shortcut); the chat works without.
import("/assets/govuk-frontend.min.js")
  .then((frontend) => frontend.initAll())
  .catch(() => {});

const IDLE_MS = 30 * 60 * 1000; // the server closes a quiet chat after 30 minutes
const log = document.getElementById("messages");
const sayForm = document.getElementById("say-form");
let busy = false;
let idle;

// The code leaves the address bar and history at once. A code opened on a page that
// already holds someone's chat starts afresh: a shared phone never shows the last person's.
const invite = new URLSearchParams(location.hash.slice(1)).get("invite");
history.replaceState(null, "", location.pathname);
if (invite) {
  const form = document.getElementById("start-form") || document.createElement("form");
  form.method = "post";
  form.action = "/chat/start";
  if (!form.elements.code) {
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "code";
    form.appendChild(field);
    document.body.appendChild(form);
  }
  form.elements.code.value = invite;
  form.submit();
}

// Back after Exit must not show a page kept in the browser's memory.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

function quietTimer() {
  clearTimeout(idle);
  idle = setTimeout(() => location.assign("/chat"), IDLE_MS);
}

function say(text, who) {
  const line = document.createElement("p");
  line.className = `govuk-body companion-chat__${who}`;
  line.textContent = text; // words are always text, never markup
  log.appendChild(line);
}

function setBusy(now) {
  busy = now;
  for (const control of document.querySelectorAll("#choices button, #say-form button")) {
    control.disabled = now;
  }
}

// The question now and its controls in view: the controls low on the screen, the
// question's last words above them (the stylesheet's scroll-margin on #choices).
function showQuestion() {
  const holder = document.getElementById("choices");
  if (holder) holder.scrollIntoView({ block: "start" });
}

// The buttons' form goes by fetch like the answer box; the picture's form is posted as it is.
function wire(csrf) {
  for (const form of document.querySelectorAll("#choices .companion-choices-form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = event.submitter || form.querySelector("button");
      send(button.value, button.textContent, csrf);
    });
  }
}

// The server renders the bot's words (escaped, phone numbers as links) and the controls,
// the same pieces as the page without JavaScript.
function choicesFrom(html, csrf) {
  const holder = document.getElementById("choices");
  holder.innerHTML = html;
  wire(csrf);
  const first = holder.querySelector("button");
  (first || sayForm.elements.message).focus({ preventScroll: true });
  showQuestion();
}

// Send one answer; true when it reached the chat. One at a time: a second tap while the
// first is on its way would answer the next question. The message's id stays until an
// answer comes: sent again after a failure, it is the same message, never taken twice.
async function send(message, shown, csrf) {
  if (busy) return false;
  setBusy(true);
  quietTimer();
  say(shown, "person");
  const messageId = sayForm.elements.message_id.value;
  try {
    const response = await fetch("/chat/say", {
      method: "POST",
      body: new URLSearchParams({ message, csrf, message_id: messageId }),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (!response.ok) {
      say(answer.error || "Your answer was not sent. Please try again.", "bot");
      if (answer.ended) {
        const again = document.createElement("a");
        again.href = "/chat";
        again.className = "govuk-link govuk-body";
        again.textContent = "Open the chat again";
        log.appendChild(again);
      }
      return false;
    }
    log.insertAdjacentHTML("beforeend", answer.html || "");
    if (answer.message_id) sayForm.elements.message_id.value = answer.message_id;
    setBusy(false);
    if (answer.choices !== undefined) choicesFrom(answer.choices, csrf);
    return true;
  } catch {
    say("The chat is not answering just now. Your answer was not sent. Please try again in a few minutes.", "bot");
    return false;
  } finally {
    setBusy(false);
  }
}

if (sayForm) {
  quietTimer();
  const csrf = sayForm.elements.csrf.value;
  wire(csrf);
  if (document.getElementById("choices").dataset.scroll) showQuestion(); // not the first page
  sayForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = sayForm.elements.message;
    const text = box.value.trim();
    if (!text || busy) return;
    box.value = "";
    if (!(await send(text, text, csrf))) box.value = text; // nothing typed is lost
    box.focus();
  });
}
