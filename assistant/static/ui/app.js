/* The patient UI's behaviour (loaded by Gradio as the page's `js`). Everything is found by
   class, because the chatbot keeps classes and ids but drops data-* and event attributes.

   - Copy: writes the answer's plain text ([n] markers and the sources), never its HTML.
   - A citation [n] opens its source card under the answer, in place.
   - Downloads: the server builds the file; this saves it (no file is served by path).
   - Keeping the conversation in the tab: only when the patient ticks the box; what is kept
     is text that the server validates again before showing it.
   - Texts come from the server in the conversation's language: an answer's own (hidden
     .copy-done / .copy-failed), and the page's (setPage: its lang, title, confirmations). */
(() => {
  if (window.msaUI) return;
  const KEEP = "msa-ui-keep";
  const DATA = "msa-ui-conversation";
  const storage = () => {
    try { return window.sessionStorage; } catch (e) { return null; }
  };

  async function writeClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      area.remove();
      return ok;
    }
  }

  async function copyAnswer(button) {
    const answer = button.closest(".answer");
    const source = answer && answer.querySelector(".copy-text");
    if (!source) return;
    const text = source.textContent;
    ui.lastCopied = text;
    const ok = await writeClipboard(text);
    const status = answer.querySelector(".copy-status");
    if (status) {
      const said = answer.querySelector(ok ? ".copy-done" : ".copy-failed");
      status.textContent = said ? said.textContent : (ok ? "Copied." : "Could not copy.");
      clearTimeout(status._msaTimer);
      status._msaTimer = setTimeout(() => { status.textContent = ""; }, 6000);
    }
  }

  function openInPlace(link, event) {
    const id = (link.getAttribute("href") || "").slice(1);
    const target = id && document.getElementById(id);
    if (!target) return;
    const details = target.tagName === "DETAILS" ? target : target.closest("details");
    if (!details) return;
    event.preventDefault();
    details.open = true;
    target.scrollIntoView({ block: "nearest" });
    const summary = details.querySelector(":scope > summary");
    (target === details && summary ? summary : target).focus({ preventScroll: true });
  }

  /* The chat is re-rendered when feedback is given or the conversation is restored: the
     disclosures the patient opened (source cards, references) stay open. */
  const opened = new Set();
  document.addEventListener("toggle", (event) => {
    const d = event.target;
    if (!(d instanceof HTMLDetailsElement) || !d.closest("#chat")) return;
    const key = d.id || detailsKey(d);
    if (!key) return;
    if (d.open) opened.add(key); else opened.delete(key);
  }, true);
  function detailsKey(d) {
    const answer = d.closest(".answer");
    const cls = Array.from(d.classList).join(".");
    return answer && answer.id && cls ? answer.id + " ." + cls : "";
  }
  function reopen() {
    if (!opened.size) return;
    document.querySelectorAll("#chat details:not([open])").forEach((d) => {
      if (opened.has(d.id || detailsKey(d))) d.open = true;
    });
  }
  new MutationObserver(reopen).observe(document.documentElement, {
    childList: true, subtree: true,
  });

  let lastInteraction = 0;
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    document.addEventListener(type, () => { lastInteraction = performance.now(); },
      { capture: true, passive: true });
  }

  document.addEventListener("click", (event) => {
    const el = event.target instanceof Element ? event.target : null;
    if (!el) return;
    const copy = el.closest("button.copy-answer");
    if (copy) { copyAnswer(copy); return; }
    const link = el.closest("a.cite, a.sources-link");
    if (link) openInPlace(link, event);
  });

  const page = {
    set: false,
    lang: "en",
    title: document.title,
    clear_confirm: "Clear this conversation? Download it first if you want to keep it.",
  };

  /* Gradio writes the page's title again when it re-renders its head: keep the one in the
     page's language. */
  new MutationObserver(() => {
    if (page.set && document.title !== page.title) document.title = page.title;
  }).observe(document.head, { childList: true, subtree: true, characterData: true });

  const ui = {
    lastCopied: null,
    page,
    /* The page's language, from the server: the browser's until the patient writes, then
       that of the latest question. */
    setPage(text) {
      let data = null;
      try { data = JSON.parse(text || "null"); } catch (e) { data = null; }
      if (!data || typeof data !== "object") return;
      for (const key of Object.keys(page)) {
        if (typeof data[key] === "string" && data[key]) page[key] = data[key];
      }
      page.set = true;
      document.documentElement.lang = page.lang;
      if (document.title !== page.title) document.title = page.title;
    },
    lastDownload: null,
    copyAnswer,
    /* [kept conversation or "", whether the patient chose to keep it] */
    kept() {
      const s = storage();
      const keep = !!s && s.getItem(KEEP) === "1";
      return [keep ? (s.getItem(DATA) || "") : "", keep];
    },
    store(snapshot, keep) {
      const s = storage();
      if (!s) return;
      if (keep && snapshot) s.setItem(DATA, snapshot);
      if (!keep) { s.removeItem(DATA); s.removeItem(KEEP); }
    },
    setKeep(keep, snapshot) {
      const s = storage();
      if (!s) return;
      if (keep) {
        s.setItem(KEEP, "1");
        if (snapshot) s.setItem(DATA, snapshot);
      } else {
        s.removeItem(KEEP);
        s.removeItem(DATA);
      }
    },
    confirmClear() {
      const ok = window.confirm(page.clear_confirm);
      if (ok) {
        const s = storage();
        if (s) s.removeItem(DATA);
        opened.clear();
      }
      return ok;
    },
    download(payload) {
      if (!payload) return;
      const file = JSON.parse(payload);
      ui.lastDownload = file;
      const url = URL.createObjectURL(new Blob([file.text], { type: file.mime }));
      const a = document.createElement("a");
      a.href = url;
      a.download = file.filename;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 10000);
    },
    /* Show the start of the new answer (the alert above the page comes first), unless the
       patient has already moved on (tapped, clicked or pressed a key). */
    showAnswer() {
      const asked = performance.now();
      const show = () => {
        if (lastInteraction > asked) return;
        const alert = document.querySelector("#emergency-alert .emergency-alert");
        if (alert && alert.offsetParent !== null) { window.scrollTo(0, 0); return; }
        const answers = document.querySelectorAll("#chat .answer");
        if (answers.length) answers[answers.length - 1].scrollIntoView({ block: "start" });
      };
      setTimeout(show, 100);
      setTimeout(show, 400);
    },
  };
  window.msaUI = ui;
})();
