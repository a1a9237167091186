package io.gitwarden.githubapi;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class GraphQlDocumentTests {

	private static final String ADVICE = "this session may read acme/widget";

	@Test
	void repositoryQueryWithVariablesResolvesOwnerAndName() {
		GraphQlDocument document = read("query RepositoryInfo($owner: String!, $name: String!) { repository(owner: $owner, "
				+ "name: $name) { id parent { id } pullRequests(first: 30) { nodes { number } } } }", null,
				"{\"owner\":\"acme\",\"name\":\"widget\"}");
		assertThat(document.type()).isEqualTo(GraphQlDocument.Type.QUERY);
		assertThat(document.name()).isEqualTo("RepositoryInfo");
		assertThat(document.fields()).singleElement().satisfies((field) -> {
			assertThat(field.name()).isEqualTo("repository");
			assertThat(field.text("owner")).isEqualTo("acme");
			assertThat(field.text("name")).isEqualTo("widget");
		});
	}

	@Test
	void literalArgumentsAndVariableDefaultsAreResolved() {
		GraphQlDocument document = read("query($name: String = \"widget\") { repository(owner: \"acme\", name: $name) { id } }",
				null, null);
		assertThat(document.fields().get(0).text("owner")).isEqualTo("acme");
		assertThat(document.fields().get(0).text("name")).isEqualTo("widget");
	}

	@Test
	void aliasesAreCheckedByTheFieldTheyName() {
		GraphQlDocument document = read("{ a: repository(owner: \"acme\", name: \"widget\") { id } "
				+ "b: repository(owner: \"acme\", name: \"other\") { id } }", null, null);
		assertThat(document.fields()).extracting(GraphQlDocument.TopField::name).containsExactly("repository", "repository");
		assertThat(document.fields().get(1).text("name")).isEqualTo("other");
		assertRefused("{ r: search(query: \"secret\", type: REPOSITORY, first: 1) { repositoryCount } }", "field search");
		assertRefused("{ mine: viewer { login } theirs: organization(login: \"acme\") { id } }", "field organization");
	}

	@Test
	void fragmentsAndInlineFragmentsAreExpanded() {
		assertRefused("query { ...top } fragment top on Query { node(id: \"R_x\") { id } }", "field node");
		assertRefused("query { ... on Query { user(login: \"octocat\") { id } } }", "field user");
		assertRefused("query { repository(owner: \"acme\", name: \"widget\") { ...r } } "
				+ "fragment r on Repository { owner { ... on Organization { repositories(first: 10) { nodes { name } } } } }",
				"field repositories");
		assertRefused("query { repository(owner: \"acme\", name: \"widget\") { owner { repository(name: \"secret\") { id } } } }",
				"field repository(name:) below the top level");
		GraphQlDocument document = read("query { ...viewerLogin } fragment viewerLogin on Query { viewer { login } }",
				null, null);
		assertThat(document.fieldNames()).containsExactly("viewer");
	}

	@Test
	void edgesNodesAndNestedRelationsWithoutLookupsAreAllowed() {
		GraphQlDocument document = read("mutation CommentCreate($input: AddCommentInput!) { addComment(input: $input) "
				+ "{ commentEdge { node { url } } } }", null, "{\"input\":{\"subjectId\":\"PR_1\",\"body\":\"hi\"}}");
		assertThat(document.type()).isEqualTo(GraphQlDocument.Type.MUTATION);
		assertThat(document.fields().get(0).object("input").get("subjectId").stringValue()).isEqualTo("PR_1");
		read("{ repository(owner: \"acme\", name: \"widget\") { pullRequest(number: 7) { repository { name } "
				+ "reviewRequests(first: 10) { nodes { requestedReviewer { ... on Team { organization { login } } } } } } } }",
				null, null);
	}

	@Test
	void viewerShowsWhoTheCredentialIsAndNothingItOwns() {
		read("{ viewer { login name } }", null, null);
		assertRefused("{ viewer { login repositories(first: 100) { nodes { name } } } }", "field viewer.repositories");
		assertRefused("{ viewer { login organizations(first: 10) { nodes { login } } } }", "field viewer.organizations");
		assertRefused("{ viewer { login starredRepositories { totalCount } } }", "field viewer.starredRepositories");
		assertRefused("{ viewer { login bio } }", "field viewer.bio");
	}

	@Test
	void onlyTheListedMutationsOneAtATime() {
		assertRefused("mutation { mergePullRequest(input: {pullRequestId: \"PR_1\"}) { clientMutationId } }",
				"mutation mergePullRequest");
		assertRefused("mutation { deleteRef(input: {refId: \"x\"}) { clientMutationId } }", "mutation deleteRef");
		assertRefused("mutation { a: addComment(input: {subjectId: \"PR_1\", body: \"x\"}) { clientMutationId } "
				+ "b: addComment(input: {subjectId: \"PR_2\", body: \"y\"}) { clientMutationId } }",
				"with more than one mutation in a request");
		assertRefused("subscription { x }", "subscriptions");
	}

	@Test
	void severalOperationsOrAMismatchedOperationNameAreRefused() {
		assertInvalid("query A { viewer { login } } mutation B { mergePullRequest(input: {}) { clientMutationId } }",
				"B", "send one operation per request");
		assertInvalid("query A { viewer { login } }", "B", "operationName does not name the document's operation");
	}

	@Test
	void sizeDepthAndExpansionAreLimited() {
		StringBuilder deep = new StringBuilder("{ repository(owner: \"acme\", name: \"widget\") ");
		for (int i = 0; i < 25; i++) {
			deep.append("{ parent ");
		}
		deep.append("{ id }");
		deep.append(" }".repeat(25)).append(" }");
		assertInvalid(deep.toString(), null, "nested deeper than 20 levels");
		assertInvalid("{ viewer { login } }" + " ".repeat(GraphQlDocument.MAX_CHARACTERS), null, "longer than");
		StringBuilder bomb = new StringBuilder("query { viewer { ...f0 } } ");
		for (int i = 0; i < 20; i++) {
			bomb.append("fragment f").append(i).append(" on User { ...f").append(i + 1).append(" ...f").append(i + 1)
				.append(" } ");
		}
		bomb.append("fragment f20 on User { login }");
		assertInvalid(bomb.toString(), null, "expands to more than");
		assertInvalid("query { ...a } fragment a on Query { ...a }", null, "spreads itself");
		assertInvalid("{ viewer { login }", null, "not a valid GraphQL document");
	}

	private static GraphQlDocument read(String query, String operationName, String variables) {
		JsonNode json = (variables != null) ? JsonMapper.shared().readTree(variables) : null;
		return GraphQlDocument.read(query, operationName, json, ADVICE);
	}

	private static void assertRefused(String query, String what) {
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> read(query, null, null)).satisfies((refusal) -> {
			assertThat(refusal.reason()).isEqualTo(RefusalReason.GRAPHQL_REFUSED);
			assertThat(refusal.getMessage()).isEqualTo("GraphQL " + what + " is not allowed through git-warden");
			assertThat(refusal.advice()).isEqualTo(ADVICE);
		});
	}

	private static void assertInvalid(String query, String operationName, String why) {
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> read(query, operationName, null))
			.satisfies((refusal) -> {
				assertThat(refusal.reason()).isEqualTo(RefusalReason.GRAPHQL_INVALID);
				assertThat(refusal.getMessage()).contains(why);
			});
	}

}
