export const id = 520;
export const ids = [520];
export const modules = {

/***/ 1520:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GITHUB_STATE: () => (/* binding */ GITHUB_STATE),
/* harmony export */   githubClient: () => (/* binding */ githubClient),
/* harmony export */   sendGitHubDeployment: () => (/* binding */ sendGitHubDeployment)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1351);
/* harmony import */ var _actions_github_lib_utils__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8665);
/* harmony import */ var _shared_retry_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3766);
/* harmony import */ var _message_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1171);




/** How each deployment event reads on GitHub's environment page. */
const GITHUB_STATE = {
    started: 'in_progress',
    success: 'success',
    failure: 'failure',
    cancelled: 'error',
    'rolled-back': 'failure',
    'approval-needed': 'queued',
};
/** The toolkit's client, with every request going through the suite's retry policy and the runner's proxy. */
function githubClient(token, retry) {
    const proxyFetch = _actions_github_lib_utils__WEBPACK_IMPORTED_MODULE_1__/* .defaults */ .NT.request?.fetch;
    return (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, {
        request: {
            fetch: (url, init) => (0,_shared_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .fetchWithRetry */ .J5)(url, init, { ...retry, ...(proxyFetch ? { fetch: proxyFetch } : {}) }),
        },
    });
}
async function sendGitHubDeployment(message, target, options) {
    const state = GITHUB_STATE[message.status];
    const description = (0,_message_js__WEBPACK_IMPORTED_MODULE_3__/* .truncate */ .xv)([(0,_message_js__WEBPACK_IMPORTED_MODULE_3__/* .headline */ .Pl)(message), message.reason].filter(Boolean).join(': '), 140);
    if (options.dryRun) {
        return {
            target: 'github-deployment',
            ok: true,
            skipped: true,
            attempts: 0,
            detail: { state, description },
        };
    }
    const [owner, repo] = target.repository.split('/');
    const octokit = githubClient(target.token, options.retry);
    let attempts = 0;
    try {
        let deploymentId = target.deploymentId;
        if (deploymentId === undefined) {
            attempts++;
            const created = await octokit.rest.repos.createDeployment({
                owner,
                repo,
                ref: target.ref,
                environment: message.environment,
                task: target.task,
                // Deploy exactly the commit that was built; never let GitHub merge the default branch in.
                auto_merge: false,
                transient_environment: target.transient,
                production_environment: target.production,
                description: (0,_message_js__WEBPACK_IMPORTED_MODULE_3__/* .truncate */ .xv)((0,_message_js__WEBPACK_IMPORTED_MODULE_3__/* .headline */ .Pl)(message), 140),
                payload: JSON.stringify(target.payload ?? {}),
            });
            if (created.status === 202 || !('id' in created.data)) {
                // 202: GitHub merged the default branch into the ref instead of creating a deployment.
                const note = 'message' in created.data ? created.data.message : 'no deployment was created';
                return {
                    target: 'github-deployment',
                    ok: false,
                    httpStatus: created.status,
                    attempts,
                    error: `GitHub did not create the deployment (${note}); deploy a ref that is up to date with the default branch`,
                };
            }
            deploymentId = created.data.id;
        }
        attempts++;
        const status = await octokit.rest.repos.createDeploymentStatus({
            owner,
            repo,
            deployment_id: deploymentId,
            state,
            description,
            environment: message.environment,
            auto_inactive: target.autoInactive,
            ...(message.runUrl ? { log_url: message.runUrl } : {}),
            ...(message.environmentUrl ? { environment_url: message.environmentUrl } : {}),
        });
        return {
            target: 'github-deployment',
            ok: true,
            httpStatus: status.status,
            attempts,
            detail: { deployment_id: String(deploymentId), state },
        };
    }
    catch (error) {
        const status = error.status;
        const apiMessage = error.response?.data?.message;
        let text = apiMessage ?? (error instanceof Error ? error.message : String(error));
        if (status === 409) {
            text = `GitHub refused the deployment (409: ${text}): a merge conflict or a failing required status check on ${target.ref}`;
        }
        else if (status === 403 || status === 401) {
            text = `${text} — the token needs the "deployments: write" permission`;
        }
        return {
            target: 'github-deployment',
            ok: false,
            ...(status ? { httpStatus: status } : {}),
            attempts: Math.max(attempts, 1),
            error: text,
        };
    }
}


/***/ })

};
