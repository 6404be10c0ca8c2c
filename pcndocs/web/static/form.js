/* pcndocs: the little the form needs beyond htmx. No inline code: the page's CSP forbids it.
 *
 * A live check answers with every message, figure and drop-down list of the form, each to be
 * swapped in by id. Only what changed is swapped: a part the same as before is left alone, and a
 * drop-down that has the focus keeps its options and its value until the user leaves it (typing
 * a practice's name picks that practice). After a swap, only the field whose message changed is
 * marked invalid or valid, so screen readers announce it with the field. */
(function () {
  "use strict";

  function markField(message) {
    var field = document.getElementById(message.id.replace(/^msg-/, ""));
    if (!field || !field.matches("input, select, textarea")) {
      return;
    }
    if (message.querySelector(".error")) {
      field.setAttribute("aria-invalid", "true");
    } else {
      field.removeAttribute("aria-invalid");
    }
  }

  function optionsOf(nodes) {
    return Array.prototype.map.call(nodes, function (o) {
      return o.value + "\u0000" + o.textContent;
    }).join("\u0001");
  }

  /* Drop-downs whose new options wait for the user to leave them: id -> fragment. */
  var waiting = {};

  function replaceOptions(select, fragment) {
    var kept = select.value;
    select.replaceChildren.apply(select, Array.prototype.slice.call(fragment.childNodes));
    if (Array.prototype.some.call(select.options, function (o) { return o.value === kept; })) {
      select.value = kept;
    }
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var fragment = event.detail.fragment;
    if (!target || !fragment) {
      return;
    }
    if (target.tagName === "SELECT") {
      event.detail.shouldSwap = false;
      if (optionsOf(target.options) === optionsOf(fragment.querySelectorAll("option"))) {
        delete waiting[target.id];
      } else if (document.activeElement === target) {
        waiting[target.id] = fragment;
      } else {
        delete waiting[target.id];
        replaceOptions(target, fragment);
      }
      return;
    }
    /* Anything else swapped whole: left alone where it is the same as before. */
    var fresh = fragment.firstElementChild;
    if (fresh && fresh.id === target.id && fresh.innerHTML === target.innerHTML) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    /* The target swapped out whole is gone: its replacement has its id. */
    var target = event.detail.target;
    var swapped = target && target.id && target.id.indexOf("msg-") === 0 && document.getElementById(target.id);
    if (swapped) {
      markField(swapped);
    }
  });

  document.addEventListener("focusout", function (event) {
    var select = event.target;
    if (select.tagName === "SELECT" && waiting[select.id]) {
      var fragment = waiting[select.id];
      delete waiting[select.id];
      replaceOptions(select, fragment);
    }
  });

  /* A workstream drop-down shows its "local workstream" keys only when that is chosen. */
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-local]")) {
      var keys = document.getElementById(select.getAttribute("aria-controls"));
      if (keys) {
        keys.hidden = select.value !== select.dataset.local;
      }
    }
  });

  /* "Agree as shown" is about the value shown: once another is typed or chosen (which the
   * documents take as agreed), the box and its words are hidden; back to it, shown again. */
  function agreeFollows(event) {
    var field = event.target;
    var box = field.closest && field.closest(".field");
    var agree = box && box.querySelector(":scope > .agree");
    if (agree && box.id === "w-" + field.id) {
      agree.hidden = field.value !== agree.dataset.shown;
    }
  }
  document.addEventListener("input", agreeFollows);
  document.addEventListener("change", agreeFollows);

  /* Busy: an action that takes over 300 ms says so beside its button (style.css shows .busy
   * after 300 ms), and its button is marked busy for screen readers. */
  function statusFor(button) {
    var id = button.getAttribute("data-status");
    return id ? document.getElementById(id) : null;
  }

  function setBusy(button, busy, words) {
    var status = statusFor(button);
    if (busy) {
      button.setAttribute("aria-busy", "true");
      button.classList.add("working");
    } else {
      button.removeAttribute("aria-busy");
      button.classList.remove("working");
    }
    if (status) {
      status.classList.toggle("busy", busy);
      status.classList.toggle("failed", false);
      status.textContent = words || "";
    }
  }

  function failed(button, words) {
    setBusy(button, false, "");
    var status = statusFor(button);
    if (status) {
      status.classList.add("failed");
      status.textContent = words;
      var old = status.nextElementSibling;  /* the notes of an earlier file: not of this one */
      if (old && old.classList.contains("download-notes")) {
        old.remove();
      }
    }
    document.dispatchEvent(new CustomEvent("pcndocs:download", { detail: { ok: false } }));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt;
    if (button && button.tagName === "BUTTON" && statusFor(button)) {
      setBusy(button, true, button.getAttribute("data-busy") || "Working…");
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (button && button.tagName === "BUTTON" && statusFor(button)) {
      setBusy(button, false, "");
      if (!event.detail.successful) {
        failed(button, "That did not work: the server answered " + event.detail.xhr.status + ".");
      }
    }
  });

  /* Downloads: fetched here, so the page stays as it is, a slow one shows it is busy, and one
   * that fails says why beside its button instead of reloading the page. */
  function reason(response, text) {
    var type = response.headers.get("content-type") || "";
    if (type.indexOf("text/html") === 0) {
      var page = new DOMParser().parseFromString(text, "text/html");
      var heading = page.getElementById("problems-title");
      var first = page.querySelector("#problems .errors li.error");
      if (heading && first) {
        var more = heading.textContent.trim().indexOf("1 thing ") === 0 ? "" : " (the list at the top of the form has them all)";
        return "Not downloaded: " + heading.textContent.trim() + ": " + first.textContent.trim() + more;
      }
      if (heading) {
        return "Not downloaded: " + heading.textContent.trim() + ". The list at the top of the form says what to do.";
      }
      return "Not downloaded: the server answered " + response.status + ".";
    }
    return "Not downloaded: " + text.trim().replace(/^error: /, "");
  }

  function fileName(response) {
    var found = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
    return found ? found[1] : "download";
  }

  /* What the download's build warned of, and its placeholders (web/notes.py): shown after the
   * button's status, in place of any shown before, and focused, so that no one misses them. */
  function showNotes(button, response) {
    var status = statusFor(button);
    var anchor = status || button;
    var old = anchor.nextElementSibling;
    if (old && old.classList.contains("download-notes")) {
      old.remove();
    }
    var notes = response.headers.get("x-pcndocs-notes");
    if (!notes) {
      return "";
    }
    var holder = document.createElement("div");
    holder.innerHTML = decodeURIComponent(notes);
    var box = holder.firstElementChild;
    anchor.insertAdjacentElement("afterend", box);
    box.focus();
    return " " + box.querySelector("h3").textContent.replace(/^[^:]*: /, "Its build gave ") + ": listed below.";
  }

  function download(button) {
    var link = button.tagName === "A";
    var init = { method: "GET", credentials: "same-origin" };
    if (!link) {
      var form = document.getElementById(button.getAttribute("form") || "profile");
      var body = new URLSearchParams(new FormData(form));
      if (button.name) {
        body.set(button.name, button.value);
      }
      var headers = { "Content-Type": "application/x-www-form-urlencoded" };
      var meta = document.querySelector('meta[name="pcndocs-token"]');
      if (meta) {
        headers["X-Pcndocs-Token"] = meta.getAttribute("content");
      }
      init = { method: "POST", body: body, headers: headers, credentials: "same-origin" };
    }
    setBusy(button, true, button.getAttribute("data-busy") || "Making the file…");
    fetch(link ? button.getAttribute("href") : button.getAttribute("formaction"), init)
      .then(function (response) {
        var attachment = /attachment/.test(response.headers.get("content-disposition") || "");
        if (response.ok && attachment) {
          return response.blob().then(function (blob) {
            var save = document.createElement("a");
            save.href = URL.createObjectURL(blob);
            save.download = fileName(response);
            document.body.appendChild(save);
            save.click();
            save.remove();
            setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
            setBusy(button, false, "Downloaded " + save.download + ".");
            var said = showNotes(button, response);
            if (said && statusFor(button)) {
              statusFor(button).textContent += said;
            }
            document.dispatchEvent(new CustomEvent("pcndocs:download", { detail: { ok: true } }));
          });
        }
        return response.text().then(function (text) {
          failed(button, reason(response, text));
        });
      })
      .catch(function () {
        failed(button, "Not downloaded: the server could not be reached. Is pcndocs serve still running?");
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-download], a[data-download]");
    if (button && window.fetch && window.URLSearchParams) {
      event.preventDefault();
      if (button.getAttribute("aria-busy") !== "true") {
        download(button);
      }
    }
  });

  /* The page says, on <body data-checked>, which state of the form the last live check that
   * finished was asked about: equal to the form's state now, every message on the page is up
   * to date with what is typed (browser tests wait on it, as on any event of the page). */
  function formState() {
    var form = document.getElementById("profile");
    return form ? new URLSearchParams(new FormData(form)).toString() : "";
  }
  /* The form as served was checked by the server that drew it. */
  document.addEventListener("DOMContentLoaded", function () {
    document.body.dataset.checked = formState();
  });
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "checker") {
      event.detail.elt.dataset.asked = formState();
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "checker" && event.detail.successful) {
      document.body.dataset.checked = elt.dataset.asked || "";
    }
  });

  /* "Show what changed" answers in its box beside the form: bring the box into view. */
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "changes") {
      var box = document.getElementById("changes-box");
      if (box && box.scrollIntoView) {
        box.scrollIntoView({ block: "start" });
      }
    }
  });

  /* A link from the list of problems to its field: the browser would scroll the field itself
   * to the top edge, its label and help out of sight above it, so that the user sees a box
   * and a message but not which value it is. Show the whole field, label first, then focus.
   * A problem of a group (a list of leads, a section) focuses the group's first field, with
   * the group's own heading in sight; one with no field to type in focuses the group. */
  var FIELD = "input:not([type='hidden']), select, textarea";

  function firstField(group) {
    return Array.prototype.find.call(group.querySelectorAll(FIELD), function (field) {
      return !field.closest("[hidden]");
    });
  }

  function showAndFocus(target, field) {
    var details = (field || target).closest("details");
    if (details) {
      details.open = true;
    }
    /* A field with its label; a group with its heading, which is its step's title where the
     * group is all the step holds (its own legend then is for screen readers only). */
    var legend = target.querySelector(":scope > legend.visually-hidden");
    var box = field === target ? field.closest(".field") || field : legend ? target.closest(".step") || target : target;
    box.scrollIntoView({ block: "start" });
    if (!field) {
      target.setAttribute("tabindex", "-1");
    }
    (field || target).focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#problems a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    showAndFocus(target, target.matches(FIELD) ? target : firstField(target));
  });

  /* "Back to the form", in the side panel: back to the field the user last changed (the
   * fields passed on the way to the panel do not count), or else the form's start (the
   * link's own target, without this script). */
  var lastField = null;
  function changed(event) {
    if (event.target.closest && event.target.closest("#fields") && event.target.id) {
      lastField = event.target.id;
    }
  }
  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#back-to-form");
    var field = link && lastField && document.getElementById(lastField);
    if (field && !field.closest("[hidden]")) {
      event.preventDefault();
      showAndFocus(field, field);
    }
  });

  /* A page drawn again with what was wrong with what was sent (a build with no network
   * chosen, a file that is not the workbook): the keyboard and the screen reader start at
   * the list of problems, not at the top of the page. Scripts run deferred, once the page is
   * parsed, so the box is there. */
  var refused = document.querySelector("main .problems[role='alert']");
  if (refused) {
    refused.setAttribute("tabindex", "-1");
    refused.focus();
  }

  /* Printed, the form is a summary of its values: fields left empty are not printed. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("#fields .field").forEach(function (field) {
      var input = field.querySelector("input, select, textarea");
      field.classList.toggle("empty", !input || !input.value);
    });
  });

  /* Only this page may change anything (guard.py): every request htmx sends carries the
   * page's token in a header, and every form posted the ordinary way (a download) carries it
   * as its first field, forms drawn later (by htmx, or added to a page) included. */
  var tokenMeta = document.querySelector('meta[name="pcndocs-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-Pcndocs-Token"] = token;
  });
  function tokenFields(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "").toLowerCase() !== "post") {
        return;
      }
      var first = form.querySelector('input[name="_csrf"]');
      if (first && first === form.elements[0]) {
        return;
      }
      if (first) {
        first.remove();
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "_csrf";
      input.value = token;
      form.insertBefore(input, form.firstChild);
    });
  }
  tokenFields(document);
  document.addEventListener("htmx:load", function (event) {
    tokenFields(event.target.ownerDocument || document);
  });

  /* Without htmx's JavaScript the plain "Check the profile" button stays; with it, hide it. */
  document.documentElement.classList.add("js");
})();
