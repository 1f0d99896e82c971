/* Filter the cards by tag (a tag also matches its children, as in Anki: topic matches
   topic::x) and by words, all of which must appear on the card; night mode. The page's
   address may preset them: index.html?tag=deckgen::occlusion&q=gb14&night=1 */
(function () {
  var search = document.getElementById("pv-q");
  var tagSelect = document.getElementById("pv-tag");
  var count = document.getElementById("pv-count");
  var night = document.getElementById("pv-night");
  var entries = Array.prototype.slice.call(document.querySelectorAll(".pv-entry"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".pv-group"));
  var texts = entries.map(function (entry) {
    var walker = document.createTreeWalker(entry, NodeFilter.SHOW_TEXT);
    var parts = [entry.dataset.tags];
    var node;
    while ((node = walker.nextNode())) {
      if (!node.parentNode.closest("script, style")) { parts.push(node.nodeValue); }
    }
    return parts.join(" ").toLowerCase().replace(/\s+/g, " ");
  });

  function hasTag(entry, tag) {
    return !tag || entry.dataset.tags.split(" ").some(function (own) {
      return own === tag || own.indexOf(tag + "::") === 0;
    });
  }

  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry, index) {
      var visible = hasTag(entry, tagSelect.value) && words.every(function (word) {
        return texts[index].indexOf(word) >= 0;
      });
      entry.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector(".pv-entry:not([hidden])");
    });
    count.textContent = (shown === entries.length ? "" : shown + " of ") + entries.length + " cards";
  }

  function setNight(on) {
    document.body.classList.toggle("nightMode", on);
    document.body.classList.toggle("night_mode", on);
    night.setAttribute("aria-pressed", on ? "true" : "false");
  }

  var params = new URLSearchParams(location.search);
  search.value = params.get("q") || "";
  tagSelect.value = params.get("tag") || "";
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  setNight(params.has("night") ? params.get("night") === "1" : dark);

  search.addEventListener("input", apply);
  tagSelect.addEventListener("change", apply);
  night.addEventListener("click", function () {
    setNight(!document.body.classList.contains("nightMode"));
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".pv-tag");
    if (button) {
      tagSelect.value = button.dataset.tag;
      apply();
    }
  });
  apply();
})();
