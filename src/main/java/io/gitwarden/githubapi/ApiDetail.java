package io.gitwarden.githubapi;

import java.util.List;

import io.gitwarden.exchange.ExchangeDetail;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of a GitHub API call, as the {@code api} object of its audit event: the method and the API
 * path (without {@code /api/v3} and the query), or for GraphQL the operation's type, name and top-level
 * fields; the upstream's status; and the number of the pull request a write concerned or created.
 *
 * @param method the HTTP method
 * @param path the REST path ({@code repos/acme/widget/pulls}) or {@code graphql}
 * @param endpoint the allowlist entry that matched ({@code pulls/{n}}), or {@code null}
 * @param graphqlType {@code query} or {@code mutation}, or {@code null}
 * @param graphqlOperation the GraphQL operation name, or {@code null}
 * @param graphqlFields the top-level GraphQL fields
 * @param status the upstream's status, or 0 when the call was not forwarded
 * @param pullRequest the pull request written to or created, or {@code null}
 */
record ApiDetail(String method, String path, String endpoint, String graphqlType, String graphqlOperation,
		List<String> graphqlFields, int status, Long pullRequest) implements ExchangeDetail {

	ApiDetail {
		graphqlFields = (graphqlFields != null) ? List.copyOf(graphqlFields) : List.of();
	}

	@Override
	public void writeTo(ObjectNode event) {
		ObjectNode api = event.putObject("api");
		api.put("method", this.method);
		api.put("path", this.path);
		if (this.endpoint != null) {
			api.put("endpoint", this.endpoint);
		}
		if (this.graphqlType != null) {
			ObjectNode graphql = api.putObject("graphql");
			graphql.put("type", this.graphqlType);
			if (this.graphqlOperation != null) {
				graphql.put("operation", this.graphqlOperation);
			}
			ArrayNode fields = graphql.putArray("fields");
			this.graphqlFields.forEach(fields::add);
		}
		if (this.status != 0) {
			api.put("status", this.status);
		}
		if (this.pullRequest != null) {
			api.put("pullRequest", this.pullRequest);
		}
	}

}
