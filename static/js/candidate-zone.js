/* The scheduling page's only script: when the browser's time zone differs from the one the
   times are shown in, reveal the offer to switch (a plain form; the page works without it).
   Zones are compared by their current names: Chromium reports legacy ones (Asia/Calcutta for
   Asia/Kolkata), so the page carries the server's table of aliases (data-zone-aliases). */
(function () {
  "use strict";
  var offer = document.getElementById("zone-offer");
  if (!offer || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var aliases = {};
  try {
    aliases = JSON.parse(offer.getAttribute("data-zone-aliases") || "{}");
  } catch (error) {
    aliases = {};
  }
  function canonical(name) {
    return Object.prototype.hasOwnProperty.call(aliases, name) ? aliases[name] : name;
  }
  var browserZone = canonical(Intl.DateTimeFormat().resolvedOptions().timeZone);
  if (!browserZone || browserZone === canonical(offer.getAttribute("data-stored-zone"))) {
    return;
  }
  offer.querySelector("input[name=zone]").value = browserZone;
  var text = offer.querySelector("[data-template]");
  text.textContent = text.getAttribute("data-template").replace("{zone}", browserZone);
  offer.hidden = false;
})();
