/**
 * Every module that registers routes in the OpenAPI registry. To document a new route: write
 * lib/openapi/routes/<area>.ts with registerRoute() calls, and import it here.
 */
import "./admin";
import "./complianceagent";
import "../../dialects/amp/register-openapi";
import "../../dialects/appsecplus/register-openapi";
import "../../dialects/complianceagent/register-openapi";
import "./dashboard";
import "../../analytics/register-openapi";
import "../../exports/register-openapi";
import "../../integrity/register-openapi";
import "../../streams/register-openapi";
import "./members-and-views";
