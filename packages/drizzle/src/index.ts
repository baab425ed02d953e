// @tusk/drizzle: not implemented yet; see the open issue that covers this package.
export {}
