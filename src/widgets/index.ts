/**
 * `edgewise/widgets`: embeddable web components.
 *
 * @module edgewise/widgets
 */
export { defineSparkline, EdgewiseSparkline } from './sparkline';
