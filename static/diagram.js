/* The topology diagram: Cytoscape.js with the fcose layout (static/vendor), fed by the
   graph JSON of checks/diagram_views.py. Namespaces are compound nodes; a namespace filter
   hides the others; a pod's reach (the query API's connect answers) is highlighted. */
(function () {
  "use strict";
  const box = document.getElementById("diagram");
  if (!box || typeof cytoscape === "undefined") return;
  const selected = document.getElementById("diagram-selected");
  const nsSelect = document.getElementById("diagram-ns");
  const podSelect = document.getElementById("diagram-pod");
  const nodesBox = document.getElementById("diagram-nodes");

  const style = [
    {selector: "node", style: {"label": "data(label)", "font-size": 11, "text-wrap": "wrap", "min-zoomed-font-size": 5, "text-valign": "bottom",
      "text-margin-y": 3, "color": "#212529", "width": 22, "height": 22, "border-width": 1, "border-color": "#343a40"}},
    {selector: "node[kind = 'Namespace'], node[kind = 'Group']", style: {"background-color": "#eef3fa",
      "background-opacity": 0.6, "border-color": "#8aa4c8", "text-valign": "top", "font-weight": "bold",
      "font-size": 12, "padding": 12, "shape": "round-rectangle"}},
    {selector: "node[kind = 'Group']", style: {"background-color": "#f1f3f5", "border-style": "dashed"}},
    {selector: "node[kind = 'Pod']", style: {"background-color": "#198754", "shape": "ellipse"}},
    {selector: "node[kind = 'Pod'][?ready]", style: {}},
    {selector: "node[kind = 'Pod'][!ready]", style: {"background-color": "#adb5bd"}},
    {selector: "node[kind = 'Service']", style: {"background-color": "#0a58ca", "shape": "round-rectangle", "width": 30}},
    {selector: "node[kind = 'Ingress']", style: {"background-color": "#6f42c1", "shape": "diamond", "width": 30, "height": 30}},
    {selector: "node[kind = 'Entry']", style: {"background-color": "#fd7e14", "shape": "triangle"}},
    {selector: "node[kind = 'Node']", style: {"background-color": "#adb5bd", "shape": "rectangle"}},
    {selector: "node[kind = 'External']", style: {"background-color": "#ffffff", "border-style": "dashed", "shape": "hexagon"}},
    {selector: "edge", style: {"width": 1.5, "line-color": "#6c757d", "target-arrow-color": "#6c757d",
      "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8, "label": "data(label)", "font-size": 8}},
    {selector: "edge[kind = 'runs-on']", style: {"line-style": "dotted", "line-color": "#6c757d", "target-arrow-shape": "none",
      "display": "none"}},  // a pod's own node edge shows when it is selected (all of them would hide the rest)
    {selector: "edge.placed", style: {"display": "element"}},
    {selector: "edge[kind = 'cname']", style: {"line-style": "dashed"}},
    {selector: ".faded", style: {"opacity": 0.15}},
    {selector: ".reach", style: {"background-color": "#ffc107", "border-width": 3, "border-color": "#664d03"}},
    {selector: "edge.reach", style: {"line-color": "#e0a800", "target-arrow-color": "#e0a800", "width": 3}},
    {selector: ".source", style: {"border-width": 4, "border-color": "#b02a37"}},
    {selector: ":selected", style: {"border-width": 3, "border-color": "#b02a37"}},
  ];

  fetch(box.dataset.graph, {credentials: "same-origin"}).then(r => r.json()).then(function (graph) {
    const cy = cytoscape({container: box, elements: graph, style: style, wheelSensitivity: 0.3,
                          minZoom: 0.1, maxZoom: 3});
    window.kubenetDiagram = cy;
    const layout = () => cy.layout({name: "fcose", quality: "default", randomize: true, animate: false,
      nodeDimensionsIncludeLabels: true, packComponents: true, nodeRepulsion: () => 4500,
      idealEdgeLength: () => 50, nestingFactor: 0.1, gravity: 0.4, gravityCompound: 1.2, tile: true, eles: cy.elements(":visible").not("edge[kind = 'runs-on']")}).run();
    layout();
    box.dataset.ready = "true";

    function describe(node) {
      const d = node.data();
      const parts = [`<strong>${d.kind}</strong> ${escape(d.ns ? d.ns + "/" : "")}${escape(d.label.split("\n")[0])}`];
      if (d.type) parts.push(escape(d.type));
      if (d.ip) parts.push(`<code>${escape(d.ip)}</code>`);
      if (d.url) parts.push(`<a href="${d.url}" id="diagram-open">Open its page</a>`);
      selected.innerHTML = parts.join("<br>");
    }

    function escape(text) {
      const el = document.createElement("span");
      el.textContent = text;
      return el.innerHTML;
    }

    function clearReach() {
      cy.elements().removeClass("faded reach source placed");
    }

    function highlight(podKey) {
      clearReach();
      if (!podKey) return;
      const url = box.dataset.reach + "?pod=" + encodeURIComponent(podKey);
      fetch(url, {credentials: "same-origin"}).then(r => r.json()).then(function (reach) {
        if (reach.error) { selected.textContent = reach.error; return; }
        const hit = cy.collection();
        [...reach.services, ...reach.pods].forEach(id => { hit.merge(cy.getElementById(id)); });
        const source = cy.getElementById("pod:" + podKey);
        cy.elements().not("node[kind = 'Namespace'], node[kind = 'Group']").addClass("faded");
        source.removeClass("faded").addClass("source");
        const placement = source.connectedEdges("[kind = 'runs-on']");
        placement.addClass("placed").removeClass("faded");
        placement.targets().removeClass("faded");
        hit.removeClass("faded").addClass("reach");
        hit.edgesWith(hit).removeClass("faded").addClass("reach");
        box.dataset.reached = String(hit.length);
      });
    }

    cy.on("tap", "node", function (evt) {
      const node = evt.target;
      const kind = node.data("kind");
      describe(node);
      if (kind === "Pod") {
        const key = node.data("ns") + "/" + node.data("label");
        podSelect.value = key;
        highlight(key);
      } else if (node.data("url") && kind !== "Namespace") {
        window.location.href = node.data("url");
      }
    });
    cy.on("dbltap", "node[kind = 'Pod']", evt => { window.location.href = evt.target.data("url"); });

    podSelect.addEventListener("change", () => highlight(podSelect.value));
    nsSelect.addEventListener("change", function () {
      const ns = nsSelect.value;
      cy.batch(function () {
        cy.elements().style("display", "element");
        if (ns) {
          const keep = cy.nodes(`[ns = "${ns}"]`);
          const around = keep.union(keep.parents()).union(keep.neighborhood("node[kind = 'Entry'], node[kind = 'External'], node[kind = 'Node']"));
          const shown = around.union(nodesBox.checked ? around.filter("node[kind = 'Node']").parents() : cy.collection());
          cy.nodes().not(shown).style("display", "none");
        }
        if (!nodesBox.checked) cy.nodes("node[kind = 'Node'], node[kind = 'Group']").style("display", "none");
      });
      layout();
      cy.fit(cy.elements(":visible"), 20);
    });
    nodesBox.addEventListener("change", () => nsSelect.dispatchEvent(new Event("change")));
  });
})();
