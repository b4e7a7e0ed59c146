export const id = 191;
export const ids = [191];
export const modules = {

/***/ 2191:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fetchSecrets: () => (/* binding */ fetchSecrets)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_secrets_manager__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2994);

/** BatchGetSecretValue takes at most 20 ids per call. */
const BATCH_SIZE = 20;
/**
 * Fetches each distinct secret id once: BatchGetSecretValue in groups of 20, then
 * GetSecretValue for any id the batch did not answer (the batch call refused, e.g. where an
 * IAM policy grants only GetSecretValue, or an id written as a partial ARN).
 */
async function fetchSecrets(client, secretIds) {
    const results = new Map();
    const ids = [...new Set(secretIds)];
    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
        const group = ids.slice(start, start + BATCH_SIZE);
        await fetchBatch(client, group, results).catch(() => undefined);
        for (const id of group) {
            if (!results.has(id))
                results.set(id, await fetchOne(client, id));
        }
    }
    return results;
}
async function fetchBatch(client, group, results) {
    let nextToken;
    do {
        const page = await client.send(new _aws_sdk_client_secrets_manager__WEBPACK_IMPORTED_MODULE_0__/* .BatchGetSecretValueCommand */ .Nr({ SecretIdList: [...group], NextToken: nextToken }));
        for (const value of page.SecretValues ?? []) {
            const id = group.find((candidate) => candidate === value.Name || candidate === value.ARN);
            if (id)
                results.set(id, secretText(value.SecretString));
        }
        for (const failure of page.Errors ?? []) {
            if (failure.SecretId && group.includes(failure.SecretId)) {
                results.set(failure.SecretId, { error: describeFailure(failure.ErrorCode, failure.Message) });
            }
        }
        nextToken = page.NextToken;
    } while (nextToken);
}
async function fetchOne(client, id) {
    try {
        const out = await client.send(new _aws_sdk_client_secrets_manager__WEBPACK_IMPORTED_MODULE_0__/* .GetSecretValueCommand */ .d2({ SecretId: id }));
        return secretText(out.SecretString);
    }
    catch (error) {
        const { name, message } = error;
        return { error: describeFailure(name, message) };
    }
}
function secretText(text) {
    return text === undefined ? { error: 'holds binary data; only text secrets can be used' } : { text };
}
function describeFailure(code, message) {
    switch (code) {
        case 'ResourceNotFoundException':
            return 'secret not found';
        case 'AccessDeniedException':
            return `access denied${message ? ` (${message})` : ''}`;
        case 'DecryptionFailure':
            return 'cannot be decrypted with its KMS key';
        default:
            return [code, message].filter(Boolean).join(': ') || 'cannot be read';
    }
}


/***/ })

};
