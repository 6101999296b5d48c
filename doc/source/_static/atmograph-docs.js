/* Diagrams no larger than Graphviz drew them: an inline SVG that has only a viewBox
   (in points) would otherwise be stretched to the column's width. Only for SVGs that do
   not carry their own size (a width attribute or style). Runs once per page. */
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('div.atmograph-diagram svg').forEach(function (svg) {
    if (svg.hasAttribute('width') || svg.style.width || !svg.viewBox || !svg.viewBox.baseVal) return;
    var width = svg.viewBox.baseVal.width;
    if (width > 0) svg.style.maxWidth = Math.ceil(width * 4 / 3) + 'px';
  });
});
