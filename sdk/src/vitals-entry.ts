/** The lazily loaded `pathmark-vitals.js` of the script-tag build. */
export { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
