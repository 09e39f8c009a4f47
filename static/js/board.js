/* The calendar board's only script: when the board is wider than its box (a phone), scroll it
   sideways to what matters first, the opened interview or else the "now" line, keeping the names
   column clear. The board reads the same without it: the box scrolls by hand. */
(function () {
  "use strict";
  var box = document.querySelector(".board-scroll");
  if (!box || box.scrollWidth <= box.clientWidth) {
    return;
  }
  var target = box.querySelector("a.is-open rect.block") ||
    box.querySelector(".board-axis line.now");
  if (!target) {
    return;
  }
  var head = box.querySelector(".lane-head");
  var names = head ? head.getBoundingClientRect().width : 0;
  var left = target.getBoundingClientRect().left - box.getBoundingClientRect().left;
  box.scrollLeft += left - names - 24;
}());
