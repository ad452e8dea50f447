// Bridgebot playground page: plain JS, no build step. Talks to /api/* on the same server.
"use strict";

let state = null;
let who = null;       // the selected person's name
let chatKey = null;   // "private" or a group's title
let busy = false;

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function showError(text) {
  const box = $("#error");
  box.textContent = text || "";
  box.hidden = !text;
}

async function act(step) {
  if (busy) return;
  busy = true;
  document.body.classList.add("busy");
  try {
    const answer = await fetch("/api/act", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(step),
    });
    const body = await answer.json();
    if (!body.ok) showError(body.error);
    else { showError(""); render(body.state); }
  } catch (error) {
    showError(String(error));
  } finally {
    busy = false;
    document.body.classList.remove("busy");
  }
}

// ---- Telegram formatting: entities are UTF-16 offsets, as JS strings are -----------------------

const LINK = /(https?:\/\/[^\s<>"]+|t\.me\/[^\s<>"]+)/g;

function plain(text) {
  // Bare links become clickable, as Telegram shows them.
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    if (match.index > last) parts.push(document.createTextNode(text.slice(last, match.index)));
    parts.push(linkNode(match[0], match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(document.createTextNode(text.slice(last)));
  return parts;
}

function linkNode(href, label) {
  const url = href.startsWith("http") ? href : "https://" + href;
  return el("a", {
    href: url,
    class: "tg-link",
    onclick: (event) => {
      if (/^https:\/\/t\.me\//.test(url)) {
        event.preventDefault(); // links to the bot or to a group act inside the playground
        act({ who, chat: chatKey, open: url });
      }
    },
    target: "_blank",
    rel: "noopener noreferrer",
  }, ...(typeof label === "string" ? [label] : label));
}

function formatted(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  function build(start, end, list) {
    const nodes = [];
    let at = start;
    let i = 0;
    while (i < list.length) {
      const e = list[i];
      const eEnd = e.offset + e.length;
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < eEnd) { inner.push(list[j]); j++; }
      if (e.offset > at) nodes.push(...plain(text.slice(at, e.offset)));
      nodes.push(wrap(e, build(e.offset, Math.min(eEnd, end), inner), text.slice(e.offset, eEnd)));
      at = Math.max(at, eEnd);
      i = j;
    }
    if (at < end) nodes.push(...plain(text.slice(at, end)));
    return nodes;
  }
  return build(0, text.length, sorted);
}

function wrap(entity, children, raw) {
  switch (entity.type) {
    case "bold": return el("b", {}, ...children);
    case "italic": return el("i", {}, ...children);
    case "underline": return el("u", {}, ...children);
    case "strikethrough": return el("s", {}, ...children);
    case "code": return el("code", {}, raw);
    case "pre": return el("pre", { "data-language": entity.language }, raw);
    case "spoiler": return el("span", { class: "spoiler" }, ...children);
    case "blockquote": case "expandable_blockquote": return el("blockquote", {}, ...children);
    case "text_link": return linkNode(entity.url, children);
    case "url": return linkNode(raw, raw);
    default: return el("span", { "data-entity": entity.type }, ...children);
  }
}

// ---- rendering -------------------------------------------------------------------------------

function person(name) { return state.cast.find((p) => p.name === name); }

function chatsOf(name) {
  const mine = state.chats.find((c) => c.type === "private" && c.person === name);
  const groups = state.chats.filter((c) => c.type !== "private");
  return [mine, ...groups].filter(Boolean);
}

function timeIn(zone, seconds) {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "numeric", month: "short",
      hour: "2-digit", minute: "2-digit",
    }).format(new Date(seconds * 1000));
  } catch (_) { return new Date(seconds * 1000).toISOString(); }
}

function render(next) {
  state = next;
  if (!who || !person(who)) who = state.cast[0] && state.cast[0].name;
  $("#program").textContent = `${state.program.name} (${state.program.sides.join(" · ")})`;
  $("#clock").textContent = state.clock_local;
  $("#zone").textContent = state.program.zone;
  renderCast();
  renderChats();
}

function renderCast() {
  const list = $("#cast");
  list.replaceChildren(...state.cast.map((p) => el("li", {
    class: p.name === who ? "selected" : "",
    "data-person": p.name,
    onclick: () => { who = p.name; chatKey = "private"; render(state); },
  },
    el("div", { class: "who" }, p.name),
    el("div", { class: "meta" }, [p.role, p.side, p.language, p.zone].filter(Boolean).join(" · ")),
    p.role === "participant"
      ? el("button", {
        "data-invite": p.name,
        onclick: (event) => { event.stopPropagation(); who = p.name; chatKey = "private"; act({ who: p.name, open: "invite" }); },
      }, "Open the invite link")
      : null,
  )));
  const side = $("#add-form [name=side]");
  if (!side.options.length) {
    side.replaceChildren(el("option", { value: "" }, "(none)"), ...state.program.sides.map((s) => el("option", {}, s)));
    $("#add-form [name=language]").replaceChildren(...state.locales.map((l) => el("option", {}, l)));
  }
}

function renderChats() {
  const me = person(who);
  if (!me) return;
  const chats = chatsOf(who);
  if (!chats.some((c) => c.label === chatKey)) chatKey = "private";
  $("#chats").replaceChildren(...chats.map((c) => {
    const inside = c.type === "private" || (c.members || []).some((m) => m.name === who);
    return el("button", {
      "data-chat": c.label,
      class: (c.label === chatKey ? "selected " : "") + (inside ? "" : "outside"),
      onclick: () => { chatKey = c.label; render(state); },
    }, c.type === "private" ? `${who} ↔ Bridgebot` : c.label);
  }));
  const chat = chats.find((c) => c.label === chatKey);
  $("#members").textContent = chat && chat.members
    ? "Members: " + chat.members.map((m) => `${m.name} (${m.status})`).join(", ")
    : "";
  $("#group-form").hidden = me.role === "participant";
  const toast = state.toast && state.toast.text && state.toast.who === who && state.toast.chat === chatKey
    ? state.toast : null;
  const banner = $("#toast");
  banner.hidden = !toast;
  banner.textContent = toast ? toast.text : "";
  banner.className = toast && toast.alert ? "alert" : "";
  const box = $("#messages");
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
  box.replaceChildren(...(chat ? chat.messages : []).map((m) => message(m, me, chat)));
  if (atBottom || box.dataset.chat !== chatKey) box.scrollTop = box.scrollHeight;
  box.dataset.chat = chatKey;
}

function message(m, me, chat) {
  if (m.service) {
    const what = { new_chat_members: "joined", left_chat_member: "left", pinned_message: "pinned a message" }[m.service];
    return el("div", { class: "msg service", "data-id": m.id }, `${m.text || m.from} ${what}`);
  }
  const mine = !m.from_bot && m.from === who;
  const rows = (m.buttons || []).map((row) => el("div", { class: "row" }, ...row.map((b) => el("button", {
    class: b.kind === "url" ? "url" : "",
    onclick: () => {
      if (b.kind === "url") act({ who, chat: chat.label, open: b.url });
      else act({ who, chat: chat.label, message: m.id, press: b.text });
    },
  }, b.text))));
  return el("div", { class: "msg" + (mine ? " mine" : ""), "data-id": m.id, "data-from": m.from },
    chat.type !== "private" || !mine ? el("div", { class: "from" }, m.from) : null,
    el("div", { class: "text", dir: "auto" }, ...formatted(m.text, m.entities)),
    m.file ? el("div", { class: "file" }, "📎 " + m.file) : null,
    rows.length ? el("div", { class: "kb" }, ...rows) : null,
    el("div", { class: "time" }, timeIn(me.zone, m.date) + (m.edited ? " · edited" : "")),
  );
}

// ---- wiring ----------------------------------------------------------------------------------

async function poll() {
  for (;;) {
    try {
      const since = state ? state.version : -1;
      const answer = await fetch(`/api/state?since=${since}`);
      if (!answer.ok) throw new Error(`state: ${answer.status}`);
      const next = await answer.json();
      if (!busy && (!state || next.version !== state.version)) render(next);
    } catch (_) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#text");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    act({ who, chat: chatKey, say: text });
  });
  $("#group-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = $("#group-title").value.trim();
    if (!title) return;
    $("#group-title").value = "";
    chatKey = title;
    act({ who, new_group: title });
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => act({ advance: button.dataset.advance }));
  }
  $("#advance-go").addEventListener("click", () => {
    const by = $("#advance-by").value.trim();
    if (by) act({ advance: by });
  });
  $("#add-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target).entries());
    act({ add_person: true, ...data });
    event.target.reset();
  });
  $("#load").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const answer = await fetch("/api/scenario", { method: "POST", body: await file.text() });
    const body = await answer.json();
    if (!body.ok) showError(body.error); else { showError(""); who = null; render(body.state); }
    event.target.value = "";
  });
  poll();
});
