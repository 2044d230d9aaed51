// A print button (data-print) opens the browser's print dialogue; the print styles in app.css make the page A4.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
