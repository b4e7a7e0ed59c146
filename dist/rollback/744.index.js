export const id = 744;
export const ids = [744];
export const modules = {

/***/ 744:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createSecretsClient: () => (/* binding */ createSecretsClient)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_secrets_manager__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2994);

/**
 * A Secrets Manager client configured the SDK's own way (AWS_REGION, profiles, AWS_ENDPOINT_URL,
 * the runner's OIDC credentials), with us-east-1 only when no region is set anywhere.
 */
async function createSecretsClient() {
    const client = new _aws_sdk_client_secrets_manager__WEBPACK_IMPORTED_MODULE_0__/* .SecretsManagerClient */ ._H({});
    try {
        await client.config.region();
        return client;
    }
    catch {
        client.destroy();
        return new _aws_sdk_client_secrets_manager__WEBPACK_IMPORTED_MODULE_0__/* .SecretsManagerClient */ ._H({ region: 'us-east-1' });
    }
}


/***/ })

};
