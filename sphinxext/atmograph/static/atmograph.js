/* atmograph: a diagram drawn smaller than its natural size gets a "Full size" button that
   shows it at Graphviz's size in its box, which then scrolls (pan); the inline SVG stays
   the same element, so its stage links keep working. */
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('div.atmograph-diagram').forEach(function (box) {
    var svg = box.querySelector('svg');
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    var natural = svg.viewBox.baseVal.width * 4 / 3;
    if (svg.getBoundingClientRect().width >= natural - 1) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'atmograph-zoom';
    button.textContent = 'Full size';
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', function () {
      var full = box.classList.toggle('atmograph-full');
      button.textContent = full ? 'Fit to column' : 'Full size';
      button.setAttribute('aria-pressed', full ? 'true' : 'false');
    });
    box.parentNode.insertBefore(button, box);
  });
});
