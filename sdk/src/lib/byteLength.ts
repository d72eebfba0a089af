/** UTF-8 length of a string: what a request body or a stored event costs. */
export const byteLength = (text: string) => new TextEncoder().encode(text).length;
