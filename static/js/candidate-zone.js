/* The scheduling page's only script: when the browser's time zone differs from the one the
   times are shown in, reveal the offer to switch (a plain form; the page works without it). */
(function () {
  "use strict";
  var offer = document.getElementById("zone-offer");
  if (!offer || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!browserZone || browserZone === offer.getAttribute("data-stored-zone")) {
    return;
  }
  offer.querySelector("input[name=zone]").value = browserZone;
  var text = offer.querySelector("[data-template]");
  text.textContent = text.getAttribute("data-template").replace("{zone}", browserZone);
  offer.hidden = false;
})();
