// The sandbox page: polls the sandbox for what the chosen person sees and sends what they do.
// Plain JavaScript, no build step; it talks to this server only.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const params = new URLSearchParams(location.search);
const ui = { me: params.get("as"), conv: params.get("c"), thread: null, people: [], shown: {}, busy: false };

function esc(text) {
  const div = document.createElement("div");
  div.textContent = text == null ? "" : String(text);
  return div.innerHTML;
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function act(op, body = {}) {
  ui.busy = true;
  try {
    const answer = await fetch("/ui/act", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ as: ui.me, op, ...body }),
    });
    const data = await answer.json();
    if (!data.ok) toast(data.error || "that did not work");
    return data;
  } catch (err) {
    toast("the sandbox is not answering");
    return { ok: false };
  } finally {
    ui.busy = false;
    await refresh();
  }
}

// -- drawing ------------------------------------------------------------------------------

function changed(key, value) {
  const text = JSON.stringify(value);
  if (ui.shown[key] === text) return false;
  ui.shown[key] = text;
  return true;
}

function messageHtml(m) {
  const classes = ["msg"];
  if (m.ephemeral) classes.push("ephemeral");
  if (m.system) classes.push("system");
  if (m.pinned) classes.push("pinned");
  const tags = (m.bot ? '<span class="tag">APP</span>' : "") +
    (m.org ? `<span class="tag ext">${esc(m.org)}</span>` : "");
  const only = m.ephemeral ? '<div class="only">👁 Only visible to you</div>' : "";
  const pin = m.pinned ? " 📌" : "";
  const edited = m.edited ? ' <span class="tag">edited</span>' : "";
  const replies = m.replies
    ? `<button type="button" class="replies" data-thread="${esc(m.ts)}">${m.replies} ${m.replies === 1 ? "reply" : "replies"}</button>`
    : "";
  return `<div class="${classes.join(" ")}" data-ts="${esc(m.ts)}">` +
    `<div class="meta"><span class="author">${esc(m.author)}</span>${tags} ${esc(m.time)}${pin}${edited}</div>` +
    `${only}<div class="body">${m.html}</div>${replies}</div>`;
}

function drawSidebar(state) {
  const item = (c) => {
    const mark = c.kind === "dm" ? "● " : (c.private ? "🔒 " : "# ");
    const shared = c.shared ? " ⇄" : "";
    const badge = c.unread ? `<span class="badge">${c.unread}</span>` : "";
    const cls = ["item", c.unread ? "unread" : "", c.id === ui.conv ? "active" : ""].join(" ");
    return `<a href="#" class="${cls}" data-id="${esc(c.id)}"><span>${mark}${esc(c.name)}${shared}</span>${badge}</a>`;
  };
  if (changed("sidebar", [state.sidebar, ui.conv])) {
    $("#channels").innerHTML = state.sidebar.filter((c) => c.kind === "channel").map(item).join("");
    $("#dms").innerHTML = state.sidebar.filter((c) => c.kind === "dm").map(item).join("");
    $("#home-link").classList.toggle("active", ui.conv === "home");
  }
  if (changed("invites", state.invites)) {
    $("#invites").innerHTML = state.invites.map((i) =>
      `<div class="invite">${esc(i.from)} (${esc(i.org)}) invited you to <b>#${esc(i.name)}</b>` +
      `<br><button type="button" data-accept="${esc(i.channel)}">Accept</button></div>`).join("");
  }
}

function drawConversation(state) {
  const conv = state.conversation;
  const home = state.home;
  $("#messages").hidden = !!home;
  $("#home").hidden = !home;
  $("#composer").hidden = !!home || !conv;
  if (home) {
    $("#conv-title").textContent = "onboardbot — Home";
    $("#conv-topic").textContent = "";
    $("#pins").hidden = true;
    if (changed("home", home)) $("#home").innerHTML = home.html || '<p class="note">Nothing here yet.</p>';
    return;
  }
  if (!conv) {
    $("#conv-title").textContent = "";
    $("#conv-topic").textContent = "";
    $("#messages").innerHTML = '<p class="note">Pick a conversation.</p>';
    ui.shown.messages = null;
    $("#pins").hidden = true;
    return;
  }
  $("#conv-title").textContent = (conv.kind === "dm" ? "" : "#") + conv.name + (conv.shared ? "  ⇄ shared with another organisation" : "");
  $("#conv-topic").innerHTML = conv.topic || "";
  $("#pins").hidden = !conv.pins.length;
  if (changed("pins", conv.pins)) {
    $("#pins-title").textContent = `📌 ${conv.pins.length} pinned`;
    $("#pins-list").innerHTML = conv.pins.map((p) => `<li><a href="#" data-goto="${esc(p.ts)}">${esc(p.text)}</a></li>`).join("");
  }
  $("#composer-note").textContent = conv.read_only ? "Sending messages to this app has been turned off (slash commands still work)." : "";
  if (changed("messages", [conv.id, conv.messages])) {
    const box = $("#messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    box.innerHTML = conv.messages.map(messageHtml).join("") || '<p class="note">No messages yet.</p>';
    fillUserSelects(box);
    if (atBottom || ui.shown.scrolledFor !== conv.id) box.scrollTop = box.scrollHeight;
    ui.shown.scrolledFor = conv.id;
  }
}

function drawThread(state) {
  const thread = state.thread;
  $("#thread").hidden = !thread;
  if (thread && changed("thread", thread)) {
    $("#thread-messages").innerHTML = thread.messages.map(messageHtml).join("");
    fillUserSelects($("#thread-messages"));
  }
}

function drawModal(state) {
  const modal = state.modal;
  $("#modal-layer").hidden = !modal;
  if (!modal) { ui.shown.modal = null; return; }
  if (!changed("modal", modal)) return;
  // The same view shown again (errors came back, or it was updated): what the person entered
  // stays, as in Slack.
  const kept = $("#modal-body").dataset.view === modal.id ? controlValues() : {};
  $("#modal-title").textContent = modal.title;
  $("#modal-body").innerHTML = modal.html;
  $("#modal-body").dataset.view = modal.id;
  fillUserSelects($("#modal-body"));
  restoreControls(kept);
  $("#modal-error").hidden = true;
  $("#modal-submit").hidden = !modal.submit;
  $("#modal-submit").textContent = modal.submit;
  $("#modal-cancel").textContent = modal.close || "Cancel";
}

function fillUserSelects(root) {
  for (const select of $$("select[data-users]", root)) {
    const initial = select.dataset.initial || "";
    for (const person of ui.people) {
      const option = new Option(`${person.name} (${person.org})`, person.id, false, person.id === initial);
      select.add(option);
    }
  }
}

async function refresh() {
  if (!ui.me) return;
  const query = new URLSearchParams({ as: ui.me });
  if (ui.conv) query.set("c", ui.conv);
  if (ui.thread) query.set("t", ui.thread);
  let state;
  try {
    const answer = await fetch(`/ui/state?${query}`);
    if (!answer.ok) return;
    state = await answer.json();
  } catch (err) {
    $("#clock-status").textContent = "sandbox stopped";
    return;
  }
  $("#clock-now").textContent = state.clock.label;
  $("#org").textContent = state.me.external
    ? `${state.me.org} (external: Slack Connect)`
    : `${state.me.org} (the app's workspace)`;
  drawSidebar(state);
  drawConversation(state);
  drawThread(state);
  drawModal(state);
  document.body.dataset.ready = "1";
}

// -- reading a modal --------------------------------------------------------------------------

function controlValue(control) {
  const kind = control.dataset.input;
  if (kind === "checkboxes") return $$("input:checked", control).map((i) => i.value);
  if (kind === "radio_buttons") return ($("input:checked", control) || {}).value || null;
  if (control.multiple) return Array.from(control.selectedOptions).map((o) => o.value).filter(Boolean);
  return control.value === "" ? null : control.value;
}

function controlValues() {
  const values = {};
  for (const control of $$("[data-input]", $("#modal-body"))) {
    values[`${control.dataset.block}/${control.dataset.actionId}`] = controlValue(control);
  }
  return values;
}

function restoreControls(values) {
  for (const control of $$("[data-input]", $("#modal-body"))) {
    const value = values[`${control.dataset.block}/${control.dataset.actionId}`];
    if (value === undefined) continue;
    const chosen = new Set(Array.isArray(value) ? value : [value]);
    if (control.dataset.input === "checkboxes" || control.dataset.input === "radio_buttons") {
      for (const box of $$("input", control)) box.checked = chosen.has(box.value);
    } else if (control.multiple) {
      for (const option of control.options) option.selected = chosen.has(option.value);
    } else {
      control.value = value == null ? "" : value;
    }
  }
}

function readModal() {
  const values = {};
  const missing = [];
  for (const control of $$("[data-input]", $("#modal-body"))) {
    const value = controlValue(control);
    const block = control.dataset.block;
    (values[block] = values[block] || {})[control.dataset.actionId] = value;
    const field = control.closest(".blk-input");
    const empty = value == null || (Array.isArray(value) && !value.length);
    if (field && empty && !$(".optional", field)) missing.push(field);
  }
  return { values, missing };
}

// -- wiring -------------------------------------------------------------------------------------

function openConversation(id) {
  ui.conv = id;
  ui.thread = null;
  const query = new URLSearchParams({ as: ui.me, c: id });
  history.replaceState(null, "", `?${query}`);
  if (id === "home") act("home"); else refresh();
}

document.addEventListener("click", async (event) => {
  const el = event.target.closest("[data-act='button'], [data-act='option'], [data-id], [data-accept], [data-thread], [data-clock], [data-goto]");
  if (!el) return;
  event.preventDefault();
  if (el.dataset.id) return openConversation(el.dataset.id);
  if (el.dataset.accept) {
    const data = await act("accept", { channel: el.dataset.accept });
    if (data.ok) openConversation(data.channel);
    return;
  }
  if (el.dataset.thread) { ui.thread = el.dataset.thread; return refresh(); }
  if (el.dataset.goto) {
    const target = $(`#messages .msg[data-ts="${CSS.escape(el.dataset.goto)}"]`);
    if (target) target.scrollIntoView({ block: "start" });
    return;
  }
  if (el.dataset.clock) {
    const days = Number($("#clock-days").value || 1);
    $("#clock-status").textContent = "running the scheduled jobs…";
    const data = await act("clock", { to: el.dataset.clock, days });
    $("#clock-status").textContent = data.ok
      ? `${data.runs.length} job run(s) sent something${data.failures.length ? `; failed: ${data.failures.join(", ")}` : ""}`
      : "";
    $("#clock-status").title = data.ok ? data.runs.join("\n") : "";
    return;
  }
  if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
  const details = el.closest("details");
  if (details) details.open = false;
  if (/^https?:\/\//.test(el.dataset.url || "")) window.open(el.dataset.url, "_blank", "noopener");
  await click(el, el.dataset.value);
});

document.addEventListener("change", (event) => {
  const el = event.target.closest("[data-act='select'], [data-act='date']");
  if (el && el.value) click(el, el.value);
});

function click(el, value) {
  const target = el.dataset.view
    ? { view: el.dataset.view }
    : { channel: el.dataset.channel, ts: el.dataset.ts, ...(el.dataset.ephemeral ? { ephemeral: "1" } : {}) };
  return act("click", { target, block_id: el.dataset.blockId, action_id: el.dataset.actionId, value: value ?? null });
}

async function send(textarea, thread) {
  const text = textarea.value;
  if (!text.trim() || !ui.conv) return;
  const data = await act("compose", { channel: ui.conv, text, thread });
  if (data.ok) textarea.value = "";
}

$("#composer").addEventListener("submit", (e) => { e.preventDefault(); send($("#composer-text"), null); });
$("#thread-composer").addEventListener("submit", (e) => { e.preventDefault(); send($("#thread-text"), ui.thread); });
for (const [box, thread] of [["#composer-text", false], ["#thread-text", true]]) {
  $(box).addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(e.target, thread ? ui.thread : null); }
  });
}
$("#thread-close").addEventListener("click", () => { ui.thread = null; refresh(); });

$("#modal-submit").addEventListener("click", async () => {
  const { values, missing } = readModal();
  $$(".local-error", $("#modal-body")).forEach((e) => e.remove());
  if (missing.length) {
    for (const field of missing) field.insertAdjacentHTML("beforeend", '<div class="field-error local-error">Please fill out this field.</div>');
    return;
  }
  await act("submit", { view: $("#modal-body").dataset.view, values });
});
for (const id of ["#modal-cancel", "#modal-x"]) {
  $(id).addEventListener("click", () => act("close", { view: $("#modal-body").dataset.view }));
}

$("#you-are").addEventListener("change", (e) => {
  ui.me = e.target.value;
  ui.conv = null;
  ui.thread = null;
  ui.shown = {};
  history.replaceState(null, "", `?as=${encodeURIComponent(ui.me)}`);
  refresh();
});

async function start() {
  const data = await (await fetch("/ui/people")).json();
  ui.people = data.people;
  ui.me = ui.me || data.default;
  if (!ui.conv && ui.me === data.default) ui.conv = data.general;
  $("#you-are").innerHTML = data.people.map((p) =>
    `<option value="${esc(p.id)}"${p.id === ui.me ? " selected" : ""}>${esc(p.name)} — ${esc(p.role || p.org)}${p.external ? ` (${esc(p.org)})` : ""}</option>`).join("");
  await refresh();
  setInterval(() => { if (!ui.busy) refresh(); }, 700);
}

start();
