// A module without a VU function as its default export, for the error case.
export default { not: 'a function' }
