/* A Web Worker for pages opened from the file system, where the browser refuses to start one.
   The search of the site runs its index in a worker; here the worker's script runs in a hidden
   iframe of the page instead, and messages pass between the two as "message" events. Served
   over http(s), the page keeps the browser's own Worker. Named so that the offline plugin of
   Material for MkDocs fetches no shim of its own from the network. */
(function () {
  "use strict";
  if (location.protocol !== "file:") {
    return;
  }

  class FrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      document.documentElement.appendChild(this.frame);
      const scope = this.frame.contentWindow;
      this.pending = [];
      this.scope = null;
      // What the worker's script posts arrives here, as a worker's message would.
      scope.postMessage = (data) => this.dispatchEvent(new MessageEvent("message", { data }));
      const script = scope.document.createElement("script");
      script.src = new URL(url, location.href).href;
      script.onload = () => {
        this.scope = scope;
        this.pending.splice(0).forEach((data) => this.postMessage(data));
      };
      script.onerror = () => this.dispatchEvent(new Event("error"));
      scope.document.documentElement.appendChild(script);
    }

    postMessage(data) {
      if (this.scope === null) {
        this.pending.push(data);  // before the script has loaded
        return;
      }
      this.scope.dispatchEvent(new this.scope.MessageEvent("message", { data }));
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.Worker = FrameWorker;
})();
