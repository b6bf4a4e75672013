/** `edgewise/widgets`: embeddable web components. */
export { defineSparkline, EdgewiseSparkline } from './sparkline';
