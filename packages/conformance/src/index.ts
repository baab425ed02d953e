// @tusk/conformance: not built yet; see the conformance-suite issue.
export {}
