// After htmx has changed the address (a filtered list), the language switch returns to the
// address as it is now, not as the page was first served.
document.addEventListener("submit", function (event) {
  var next = event.target.querySelector("input[data-current-url]");
  if (next) next.value = window.location.pathname + window.location.search;
});
