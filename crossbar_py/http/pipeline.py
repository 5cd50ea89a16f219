"""The request pipeline in Kazoo's order: request id, CORS, errors, body, route, account, auth, authz."""

from crossbar_py.http import access, content, context, cors, failures
from crossbar_py.http.body import check_data_shape, parse_body
from crossbar_py.http.routing import call_route, resolve_route

PIPELINE = [
    context.request_context,
    content.render_options,
    cors.cors,
    failures.errors_to_envelopes,
    parse_body,
    resolve_route,
    access.check_route,
    access.check_path_ids,
    access.load_account,
    access.authenticate,
    access.authorize,
    content.check_content_type,
    check_data_shape,
    call_route,
]
