/* The plan page: rank the plan by dragging rows or pressing Move up / Move down, and draw the fan chart.
 *
 * No framework, nothing inline (the Content-Security-Policy forbids inline script and style). Without
 * JavaScript the Move buttons still work: each posts its form and the server redirects back to the page.
 * With it, any reorder sends the whole new order to the JSON API, with the CSRF token from the page's forms
 * in the X-CSRF-Token header, then reloads so ranks, the forecast and the chart are the server's.
 */
(() => {
  "use strict";

  const FOCUS_KEY = "tandem.plan.focus";

  const csrfToken = () => {
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  };

  const showStatus = (message) => {
    const status = document.getElementById("plan-status");
    if (status) {
      status.textContent = message;
      status.hidden = !message;
    }
  };

  const remember = (value) => {
    try {
      window.sessionStorage.setItem(FOCUS_KEY, value);
    } catch (_error) {
      /* storage may be off; focus is a nicety */
    }
  };

  /* After a reload, give focus back to the control the user pressed (keyboard users keep their place). */
  const restoreFocus = () => {
    let saved = null;
    try {
      saved = window.sessionStorage.getItem(FOCUS_KEY);
      window.sessionStorage.removeItem(FOCUS_KEY);
    } catch (_error) {
      return;
    }
    if (!saved) return;
    const [id, direction] = saved.split(":");
    const row = document.getElementById(`item-${id}`);
    if (!row) return;
    let button = row.querySelector(`button[name="direction"][value="${direction}"]`);
    if (!button || button.disabled) button = row.querySelector('button[name="direction"]:not([disabled])');
    if (button) button.focus();
    row.scrollIntoView({ block: "center" });
  };

  const setUpRanking = (list) => {
    const url = list.dataset.orderUrl;
    if (!url) return;
    const rows = () => Array.from(list.querySelectorAll("tr[data-item-id]"));
    const order = () => rows().map((row) => Number(row.dataset.itemId));
    const original = order();
    let busy = false;

    const restore = () => {
      for (const id of original) list.appendChild(document.getElementById(`item-${id}`));
    };

    const save = async (focus) => {
      const wanted = order();
      if (busy || wanted.join(",") === original.join(",")) return;
      busy = true;
      list.setAttribute("aria-busy", "true");
      showStatus("");
      try {
        const response = await fetch(url, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken() },
          body: JSON.stringify({ order: wanted }),
        });
        if (!response.ok) {
          const body = await response.json().catch(() => ({}));
          throw new Error(
            typeof body.detail === "string" ? body.detail : `The new order was not saved (${response.status}).`,
          );
        }
        remember(focus);
        const next = new URL(window.location.href);
        next.searchParams.set("done", "ranked");
        next.hash = `item-${focus.split(":")[0]}`;
        window.history.replaceState(null, "", next);
        window.location.reload();
      } catch (error) {
        busy = false;
        list.removeAttribute("aria-busy");
        restore();
        showStatus(error.message || "The new order was not saved; reload and retry.");
      }
    };

    /* Keyboard and mouse alike: the Move buttons reorder in place, then save. */
    list.addEventListener("click", (event) => {
      const button = event.target.closest('button[name="direction"]');
      if (!button || !list.contains(button)) return;
      event.preventDefault();
      const row = button.closest("tr[data-item-id]");
      if (button.value === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.value === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      } else {
        return;
      }
      save(`${row.dataset.itemId}:${button.value}`);
    });

    /* HTML5 drag and drop on the rows. */
    let dragged = null;
    let dropped = false;
    list.addEventListener("dragstart", (event) => {
      const row = event.target.closest ? event.target.closest("tr[data-item-id]") : null;
      if (!row || busy) {
        event.preventDefault();
        return;
      }
      dragged = row;
      dropped = false;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.itemId);
      row.setAttribute("aria-grabbed", "true");
      row.style.opacity = "0.5"; /* the CSSOM, which the CSP allows (unlike a style attribute) */
    });
    list.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      const row = event.target.closest ? event.target.closest("tr[data-item-id]") : null;
      if (!row || row === dragged) return;
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? row.nextElementSibling : row);
    });
    list.addEventListener("drop", (event) => {
      if (!dragged) return;
      event.preventDefault();
      dropped = true;
      save(`${dragged.dataset.itemId}:`);
    });
    list.addEventListener("dragend", () => {
      if (!dragged) return;
      dragged.style.opacity = "";
      dragged.removeAttribute("aria-grabbed");
      if (!dropped) restore();
      dragged = null;
    });
  };

  const list = document.getElementById("plan-items");
  if (list) {
    setUpRanking(list);
    list.dataset.ready = "true";
  }
  restoreFocus();
  /* This script comes before Plotly's (so ranking works while the big bundle loads). */
  window.TandemCharts.drawWhenReady("fan-chart", (figure) => figure, {
    unloaded: "The fan chart could not be loaded; the table above has the same dates.",
    failed: "The fan chart could not be drawn; the table above has the same dates.",
  });
})();
