/* Stands in for Anki's reviewer script: the occlusion templates call
   anki.imageOcclusion.setup() from inside each card; this draws that card's masks as boxes
   over its image, in the colours the card CSS sets on #image-occlusion-canvas. As in Anki:
   the asked mask (.cloze) is filled on the front and outlined on the back
   (.cloze-highlight); with "hide all, guess one" (oi=1) the other masks stay covered. */
window.anki = window.anki || {};
window.anki.imageOcclusion = {
  setup: function () {
    var script = document.currentScript;
    var card = script && script.closest(".card");
    var container = card && card.querySelector("#image-occlusion-container");
    var image = container && container.querySelector("img");
    if (!image) { return; }
    var canvas = container.querySelector("#image-occlusion-canvas") || container;
    var style = getComputedStyle(canvas);
    var layer = document.createElement("div");
    layer.className = "pv-masks";
    card.querySelectorAll("[data-shape]").forEach(function (shape) {
      var data = shape.dataset;
      var role = shape.classList.contains("cloze-highlight") ? "highlight"
        : shape.classList.contains("cloze-inactive") ? "inactive" : "active";
      if (role === "inactive" && data.occludeinactive !== "1") { return; }
      var width = Number(data.width), height = Number(data.height);
      var mask = document.createElement("div");
      if (data.shape === "ellipse") {
        width = 2 * Number(data.rx);
        height = 2 * Number(data.ry);
        mask.style.borderRadius = "50%";
      } else if (data.shape !== "rect") {
        return;
      }
      var prefix = role === "inactive" ? "--inactive-shape" : "--" + role + "-shape";
      var border = style.getPropertyValue(prefix + "-border").trim().split(/\s+/);
      mask.className = "pv-mask pv-mask-" + role;
      mask.dataset.ordinal = data.ordinal;
      mask.style.left = Number(data.left) * 100 + "%";
      mask.style.top = Number(data.top) * 100 + "%";
      mask.style.width = width * 100 + "%";
      mask.style.height = height * 100 + "%";
      mask.style.background = style.getPropertyValue(prefix + "-color").trim();
      mask.style.border = (border[0] || "1px") + " solid " + (border[1] || "#212121");
      layer.appendChild(mask);
    });
    container.appendChild(layer);
    var toggle = card.querySelector("#toggle");
    if (toggle && card.querySelector('[data-occludeinactive="1"]')) {
      toggle.addEventListener("click", function () { layer.hidden = !layer.hidden; });
    } else if (toggle) {
      toggle.style.display = "none";
    }
  }
};
