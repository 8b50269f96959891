/*
 * KIMed Workbench: "Request release…" in JupyterLab's file browser context menu.
 *
 * Right-clicking one or more files and choosing the entry opens the portal's
 * export-request page (/services/portal/airlock/new) in a new tab with those files
 * preselected (?file=<path in the home>, once per file). The portal checks every path
 * again (inside the home, an existing regular file, an allowed type) and says what is
 * wrong with any it refuses: this side only passes names along.
 *
 * A JupyterLab 4 federated extension written by hand, with no build step: JupyterLab
 * loads this script from the extension's package.json ("_build": "load"), calls
 * window._JUPYTERLAB["kimed-release"].init(shareScope), then .get("./extension") and
 * activates the plugins of the module that factory returns. A webpack-built extension
 * would need @jupyterlab/builder and its npm tree at image build time; this plugin
 * imports no JupyterLab package (it needs no shared module and no token), so it only
 * implements that small loader contract. It relies on two run-time facts of the pinned
 * JupyterLab (4.6), which the browser test (tests/browser/test_workspace_exits_browser.py)
 * exercises: the file browser is the left-area widget with id "filebrowser", and it has
 * selectedItems(). If either changes, the entry opens the page without preselection.
 */
var _JUPYTERLAB;
(function () {
  "use strict";

  var NAME = "kimed-release";
  var COMMAND = "kimed:request-release";
  // Files only: a folder is never released (the portal would refuse it anyway).
  var SELECTOR = '.jp-DirListing-item[data-isdir="false"]';

  function pageConfig() {
    var element = document.getElementById("jupyter-config-data");
    try {
      return element ? JSON.parse(element.textContent || "{}") : {};
    } catch (error) {
      return {};
    }
  }

  // The portal is a hub service on the same origin: <hub base>/services/portal/.
  function exportPageUrl(paths) {
    var hubPrefix = pageConfig().hubPrefix || "/hub/";
    var base = hubPrefix.replace(/hub\/?$/, "");
    var query = paths.map(function (path) {
      return "file=" + encodeURIComponent(path);
    });
    return base + "services/portal/airlock/new" + (query.length ? "?" + query.join("&") : "");
  }

  function fileBrowser(app) {
    var widgets = Array.from(app.shell.widgets("left"));
    for (var i = 0; i < widgets.length; i++) {
      var widget = widgets[i];
      if (widget.id === "filebrowser" && typeof widget.selectedItems === "function") {
        return widget;
      }
    }
    return null;
  }

  // The paths (relative to the server's root: the home) of the selected files; a
  // right-click selects the item under the pointer first.
  function selectedFiles(app) {
    var browser = fileBrowser(app);
    if (!browser) {
      return [];
    }
    return Array.from(browser.selectedItems())
      .filter(function (item) {
        return item.type !== "directory";
      })
      .map(function (item) {
        return item.path;
      });
  }

  var plugin = {
    id: NAME + ":plugin",
    description: "Request release of files through the airlock (the portal's export request).",
    autoStart: true,
    activate: function (app) {
      app.commands.addCommand(COMMAND, {
        label: "Request release…",
        caption: "Ask for these files to be checked and released through the airlock",
        execute: function () {
          window.open(exportPageUrl(selectedFiles(app)), "_blank", "noopener");
        },
      });
      app.contextMenu.addItem({ command: COMMAND, selector: SELECTOR, rank: 1 });
    },
  };

  var registry = (_JUPYTERLAB = window._JUPYTERLAB = window._JUPYTERLAB || {});
  registry[NAME] = {
    init: function () {
      return Promise.resolve(); // no shared modules to offer or take
    },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(NAME + " has no module " + module));
      }
      return Promise.resolve(function () {
        return { __esModule: true, default: [plugin] };
      });
    },
  };
})();
