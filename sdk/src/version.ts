/** The SDK's name and version, sent in every batch's `sdk` field. */
export const SDK_VERSION = 'pathmark-js/0.1.0';
