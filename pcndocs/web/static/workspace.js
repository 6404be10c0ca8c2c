/* pcndocs: a network of the workspace is saved into its file as it is typed.
 * Each save carries the version of the file it was based on; the server refuses a save based
 * on an older version (another tab, an editor or git changed the file), and the page then
 * offers to reload the file or to keep both. Leaving the page with a save pending warns.
 * Every request that changes something goes through send(), which carries the page's token. */
(function () {
  "use strict";
  var bar = document.getElementById("workspace");
  var form = document.getElementById("profile");
  if (!bar || !form) {
    return;
  }
  var file = bar.dataset.file;
  var version = bar.dataset.version;
  var status = document.getElementById("save-status");
  var SAVE_AFTER = 500; /* ms after the last keystroke; well within the 2 s promised */
  var timer = null;
  var inFlight = false;
  var dirty = false;
  var stopped = false; /* a conflict: nothing more is saved until the user chooses */
  var waiting = [];

  /* The one way this page sends a request that changes something: with the page's token. */
  function send(url, body, keepalive) {
    var meta = document.querySelector('meta[name="pcndocs-token"]');
    var headers = { "X-Pcndocs-Token": meta ? meta.getAttribute("content") : "" };
    return fetch(url, {
      method: "POST", body: body, headers: headers, credentials: "same-origin",
      keepalive: !!keepalive
    });
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "save-status " + kind;
    bar.dataset.state = kind;
  }

  function settled() {
    return !dirty && !timer && !inFlight;
  }

  function whenSaved(then) {
    if (settled()) {
      then();
      return;
    }
    waiting.push(then);
    if (timer) {
      clearTimeout(timer);
      save();
    }
  }

  function schedule() {
    if (stopped) {
      return;
    }
    dirty = true;
    say("Saving…", "pending");
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(save, SAVE_AFTER);
  }

  function save() {
    timer = null;
    if (inFlight || stopped) {
      return; /* the save under way saves again when it ends, if more was typed */
    }
    inFlight = true;
    dirty = false;
    var body = new FormData(form);
    body.set("_base", version);
    send("/networks/" + encodeURIComponent(file) + "/save", body)
      .then(function (response) {
        return response.json().then(function (answer) {
          return { code: response.status, answer: answer };
        });
      })
      .then(function (result) {
        inFlight = false;
        var answer = result.answer;
        if (result.code === 200) {
          version = answer.version;
          bar.dataset.version = version;
          document.querySelectorAll(".ws-base").forEach(function (input) {
            input.value = version;
          });
          if (answer.draft) {
            say("Saved as a draft, with " + answer.errors + " problem" +
              (answer.errors === 1 ? "" : "s") + " still to put right, in " + file + ".", "draft");
          } else {
            say("All changes saved in " + file + ".", "saved");
          }
        } else if (result.code === 409) {
          stopped = true;
          say("Not saved: the file was changed elsewhere.", "conflict");
          document.getElementById("ws-conflict-text").textContent = answer.message;
          var box = document.getElementById("ws-conflict");
          box.hidden = false;
          document.getElementById("ws-reload").focus();
        } else {
          dirty = true;
          say("Not saved: " + (answer.error || "the server refused it") + ".", "failed");
        }
        if (dirty && !stopped) {
          schedule();
        } else if (settled()) {
          var then = waiting;
          waiting = [];
          then.forEach(function (f) { f(); });
        }
        bar.dispatchEvent(new CustomEvent("pcndocs:saved", { bubbles: true }));
      })
      .catch(function () {
        inFlight = false;
        dirty = true;
        say("Not saved: the server did not answer. Your changes are still in this page; " +
          "pcndocs tries again.", "failed");
        timer = setTimeout(save, 3000);
      });
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  /* An item added, removed or moved redraws the fields: save what they now hold. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && (target.id === "fields" || target.closest && target.closest("#fields"))) {
      if (event.detail.requestConfig && event.detail.requestConfig.path === "/edit") {
        schedule();
      }
    }
  });
  /* Leaving anyway (the warning answered, the tab closed): send what is not saved yet, once.
   * The answer is not waited for: the next visit reads the file as it then is. */
  window.addEventListener("pagehide", function () {
    if (!stopped && (dirty || timer) && !inFlight) {
      var body = new FormData(form);
      body.set("_base", version);
      send("/networks/" + encodeURIComponent(file) + "/save", body, true).catch(function () {});
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!settled()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.getElementById("ws-reload").addEventListener("click", function () {
    dirty = false;
    window.location.reload();
  });
  document.getElementById("ws-keep").addEventListener("click", function () {
    var body = new FormData(form);
    send("/networks/" + encodeURIComponent(file) + "/keep", body)
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.url) {
          dirty = false;
          stopped = true;
          window.location.assign(answer.url);
        } else {
          document.getElementById("ws-conflict-text").textContent = answer.error;
        }
      });
  });

  /* Mark as agreed: the version agreed is the one saved, so save first. */
  var agree = document.getElementById("agree-form");
  if (agree) {
    agree.addEventListener("submit", function (event) {
      if (!settled()) {
        event.preventDefault();
        whenSaved(function () { agree.requestSubmit(); });
      }
    });
  }

  /* What changed: the file as saved against the version chosen, shown in the page. */
  var changes = document.getElementById("ws-changes-form");
  if (changes) {
    changes.addEventListener("submit", function (event) {
      event.preventDefault();
      var shown = document.getElementById("ws-changes");
      var button = document.getElementById("ws-show-changes");
      button.disabled = true;
      shown.setAttribute("aria-busy", "true");
      shown.innerHTML = '<p class="status" role="status">Comparing…</p>';
      whenSaved(function () {
        send(changes.action, new FormData(changes))
          .then(function (response) { return response.text(); })
          .then(function (html) {
            shown.innerHTML = html;
          })
          .catch(function () {
            shown.innerHTML = '<p class="changes-status problem" role="status">' +
              "Could not compare: the server did not answer.</p>";
          })
          .then(function () {
            button.disabled = false;
            shown.removeAttribute("aria-busy");
            shown.dispatchEvent(new CustomEvent("pcndocs:compared", { bubbles: true }));
          });
      });
    });
  }
})();
