/** SKU and version sent as `x-client-SKU` / `x-client-VER`. */
export const sdkSku = 'keyward.js';
export const sdkVersion = '0.1.0';
