package io.gitwarden.githubapi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import graphql.language.Argument;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.EnumValue;
import graphql.language.Field;
import graphql.language.FloatValue;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableDefinition;
import graphql.language.VariableReference;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A GraphQL request as git-warden reads it: parsed with graphql-java (never executed, no schema), held to
 * size and depth limits, reduced to one operation and its top-level fields with their arguments resolved
 * from literals and the request's {@code variables}. The structural rules need no session:
 * <ul>
 * <li>exactly one operation (no choosing among several by {@code operationName}), no subscriptions;</li>
 * <li>queries may select only {@code repository}, {@code viewer} (its login and names, nothing it
 * owns), {@code rateLimit} and introspection at the top, through any alias or fragment;</li>
 * <li>mutations may select exactly one of {@link #MUTATIONS};</li>
 * <li>nowhere in the document a field that looks up or lists other repositories, owners or arbitrary
 * objects ({@code node(id:)}, {@code search}, {@code repositories}, {@code organization(login:)},
 * {@code owner { repository(name:) }}, ...), also below an allowed field.</li>
 * </ul>
 * Which repository and pull request the fields name is checked against the session by the caller.
 *
 * @param type the operation type
 * @param name the operation name, or {@code null}
 * @param fields the top-level fields, in document order, with fragments expanded
 */
record GraphQlDocument(Type type, String name, List<TopField> fields) {

	/** Longest document read, in characters. */
	static final int MAX_CHARACTERS = 64 * 1024;

	/** Most grammar tokens in a document. */
	static final int MAX_TOKENS = 15_000;

	/** Deepest selection nesting, fragments expanded ({@code gh pr view} needs about 13). */
	static final int MAX_DEPTH = 20;

	/** What the parser may nest (its own recursion, a bound on stack use). */
	static final int MAX_RULE_DEPTH = 200;

	/** Most selections visited while checking, fragments expanded (a fragment spread twice per level doubles). */
	static final int MAX_VISITS = 50_000;

	/** The mutations a session may send (each on its own pull requests only). */
	static final Set<String> MUTATIONS = Set.of("createPullRequest", "updatePullRequest", "addComment",
			"markPullRequestReadyForReview", "convertPullRequestToDraft", "closePullRequest", "reopenPullRequest",
			"addPullRequestReview");

	/** The top-level query fields a session may select. */
	static final Set<String> QUERY_FIELDS = Set.of("repository", "viewer", "rateLimit", "__typename", "__type",
			"__schema");

	/** What may be selected under {@code viewer}: who the upstream credential is, nothing it owns. */
	static final Set<String> VIEWER_FIELDS = Set.of("login", "id", "databaseId", "name", "url", "avatarUrl", "email",
			"isBot", "__typename");

	/** Fields refused anywhere: they list or search other repositories, owners or objects. */
	static final Set<String> DENIED_FIELDS = Set.of("search", "resource", "repositoryOwner", "repositories",
			"repositoriesContributedTo", "starredRepositories", "watching", "topRepositories", "pinnedItems",
			"pinnableItems", "itemShowcase", "forks", "organizations", "gist", "gists", "enterprise");

	/**
	 * Fields refused below the top level when they take these arguments (a lookup by name or id); without
	 * them they are ordinary ({@code edges { node }}, {@code pullRequest { repository }}).
	 */
	static final Map<String, Set<String>> LOOKUP_ARGUMENTS = Map.of("repository", Set.of("owner", "name"),
			"organization", Set.of("login"), "user", Set.of("login"), "node", Set.of("id"), "nodes", Set.of("ids"));

	/** The operation types; subscriptions are refused. */
	enum Type {

		QUERY, MUTATION;

		String word() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * A top-level field.
	 *
	 * @param name the field name (not its alias)
	 * @param arguments its arguments, variables resolved ({@code null} values for missing variables)
	 */
	record TopField(String name, ObjectNode arguments) {

		/** A string argument, or {@code null} when absent or not a string. */
		String text(String argument) {
			JsonNode value = this.arguments.get(argument);
			return (value != null && value.isString()) ? value.stringValue() : null;
		}

		/** An object argument ({@code input}), or an empty object. */
		ObjectNode object(String argument) {
			JsonNode value = this.arguments.get(argument);
			return (value instanceof ObjectNode object) ? object : JsonNodeFactory.instance.objectNode();
		}

	}

	GraphQlDocument {
		fields = List.copyOf(fields);
	}

	/** The top-level field names, for records. */
	List<String> fieldNames() {
		return this.fields.stream().map(TopField::name).toList();
	}

	/**
	 * @param query the document
	 * @param operationName the request's {@code operationName}, or {@code null}
	 * @param variables the request's {@code variables}, or {@code null}
	 * @param advice what the session may do instead, for refusals
	 * @throws Refusal {@link RefusalReason#GRAPHQL_INVALID} for what cannot be read or is over a limit,
	 * {@link RefusalReason#GRAPHQL_REFUSED} for what reaches outside the allowlist
	 */
	static GraphQlDocument read(String query, String operationName, JsonNode variables, String advice) {
		if (query == null || query.isBlank()) {
			throw invalid("the request has no query");
		}
		if (query.length() > MAX_CHARACTERS) {
			throw invalid("the document is longer than " + MAX_CHARACTERS + " characters");
		}
		Document document;
		try {
			ParserOptions options = ParserOptions.newParserOptions()
				.maxCharacters(MAX_CHARACTERS)
				.maxTokens(MAX_TOKENS)
				.maxRuleDepth(MAX_RULE_DEPTH)
				.captureSourceLocation(false)
				.captureLineComments(false)
				.redactTokenParserErrorMessages(true)
				.build();
			document = Parser.parse(ParserEnvironment.newParserEnvironment().document(query).parserOptions(options).build());
		}
		catch (InvalidSyntaxException ex) {
			throw invalid("not a valid GraphQL document, or over the parser's limits");
		}
		catch (RuntimeException | StackOverflowError ex) {
			throw invalid("not a valid GraphQL document");
		}
		OperationDefinition operation = null;
		Map<String, FragmentDefinition> fragments = new HashMap<>();
		for (Definition<?> definition : document.getDefinitions()) {
			if (definition instanceof OperationDefinition op) {
				if (operation != null) {
					throw invalid("send one operation per request");
				}
				operation = op;
			}
			else if (definition instanceof FragmentDefinition fragment) {
				if (fragments.put(fragment.getName(), fragment) != null) {
					throw invalid("fragment " + fragment.getName() + " is defined twice");
				}
			}
			else {
				throw invalid("only operations and fragments may be sent");
			}
		}
		if (operation == null) {
			throw invalid("the document has no operation");
		}
		if (operationName != null && !operationName.isEmpty() && !operationName.equals(operation.getName())) {
			throw invalid("operationName does not name the document's operation");
		}
		Type type = switch (operation.getOperation()) {
			case QUERY -> Type.QUERY;
			case MUTATION -> Type.MUTATION;
			case SUBSCRIPTION -> throw refused("subscriptions", advice);
		};
		Reader reader = new Reader(fragments, variables, operation.getVariableDefinitions(), advice);
		if (reader.depth(operation.getSelectionSet(), new HashSet<>()) > MAX_DEPTH) {
			throw invalid("the selection is nested deeper than " + MAX_DEPTH + " levels");
		}
		List<Field> top = new ArrayList<>();
		reader.collect(operation.getSelectionSet(), top, new HashSet<>());
		List<TopField> fields = new ArrayList<>();
		for (Field field : top) {
			String name = field.getName();
			if (type == Type.QUERY && !QUERY_FIELDS.contains(name)) {
				throw refused("field " + name, advice);
			}
			if (type == Type.MUTATION && !MUTATIONS.contains(name)) {
				throw refused("mutation " + name, advice);
			}
			if (name.equals("viewer")) {
				reader.checkViewer(field.getSelectionSet(), new HashSet<>());
			}
			else {
				reader.checkNested(field.getSelectionSet(), new HashSet<>());
			}
			fields.add(new TopField(name, reader.arguments(field.getArguments())));
		}
		if (fields.isEmpty()) {
			throw invalid("the operation selects nothing");
		}
		if (type == Type.MUTATION && fields.size() > 1) {
			throw refused("with more than one mutation in a request", advice);
		}
		return new GraphQlDocument(type, operation.getName(), fields);
	}

	private static Refusal invalid(String why) {
		return new Refusal(RefusalReason.GRAPHQL_INVALID, why, MAX_CHARACTERS + " characters and " + MAX_DEPTH + " levels");
	}

	private static Refusal refused(String what, String advice) {
		return new Refusal(RefusalReason.GRAPHQL_REFUSED, what, advice);
	}

	/** Walks the document with its fragments and variables. */
	private static final class Reader {

		private final Map<String, FragmentDefinition> fragments;

		private final JsonNode variables;

		private final Map<String, Value<?>> defaults = new HashMap<>();

		private final String advice;

		private int visits;

		Reader(Map<String, FragmentDefinition> fragments, JsonNode variables, List<VariableDefinition> definitions,
				String advice) {
			this.fragments = fragments;
			this.variables = (variables != null && variables.isObject()) ? variables : null;
			for (VariableDefinition definition : definitions) {
				if (definition.getDefaultValue() != null) {
					this.defaults.put(definition.getName(), definition.getDefaultValue());
				}
			}
			this.advice = advice;
		}

		private void visit() {
			if (++this.visits > MAX_VISITS) {
				throw invalid("the document expands to more than " + MAX_VISITS + " selections");
			}
		}

		private FragmentDefinition fragment(FragmentSpread spread, Set<String> active) {
			FragmentDefinition fragment = this.fragments.get(spread.getName());
			if (fragment == null) {
				throw invalid("fragment " + spread.getName() + " is not defined");
			}
			if (!active.add(spread.getName())) {
				throw invalid("fragment " + spread.getName() + " spreads itself");
			}
			return fragment;
		}

		/** Deepest field nesting below {@code selections}; fragments count as their fields. */
		int depth(SelectionSet selections, Set<String> active) {
			if (selections == null) {
				return 0;
			}
			int deepest = 0;
			for (Selection<?> selection : selections.getSelections()) {
				visit();
				if (selection instanceof Field field) {
					deepest = Math.max(deepest, 1 + depth(field.getSelectionSet(), active));
				}
				else if (selection instanceof InlineFragment inline) {
					deepest = Math.max(deepest, depth(inline.getSelectionSet(), active));
				}
				else if (selection instanceof FragmentSpread spread) {
					FragmentDefinition fragment = fragment(spread, active);
					deepest = Math.max(deepest, depth(fragment.getSelectionSet(), active));
					active.remove(spread.getName());
				}
				if (deepest > MAX_DEPTH) {
					return deepest;
				}
			}
			return deepest;
		}

		/** The fields of a selection set, with fragments and inline fragments expanded. */
		void collect(SelectionSet selections, List<Field> into, Set<String> active) {
			if (selections == null) {
				return;
			}
			for (Selection<?> selection : selections.getSelections()) {
				visit();
				if (selection instanceof Field field) {
					into.add(field);
				}
				else if (selection instanceof InlineFragment inline) {
					collect(inline.getSelectionSet(), into, active);
				}
				else if (selection instanceof FragmentSpread spread) {
					collect(fragment(spread, active).getSelectionSet(), into, active);
					active.remove(spread.getName());
				}
			}
		}

		/** Refuses, anywhere below, a field that lists or looks up other repositories, owners or objects. */
		void checkNested(SelectionSet selections, Set<String> active) {
			List<Field> fields = new ArrayList<>();
			collect(selections, fields, active);
			for (Field field : fields) {
				String name = field.getName();
				if (DENIED_FIELDS.contains(name)) {
					throw refused("field " + name, this.advice);
				}
				Set<String> lookup = LOOKUP_ARGUMENTS.get(name);
				if (lookup != null) {
					for (Argument argument : field.getArguments()) {
						if (lookup.contains(argument.getName())) {
							throw refused("field " + name + "(" + argument.getName() + ":) below the top level",
									this.advice);
						}
					}
				}
				checkNested(field.getSelectionSet(), active);
			}
		}

		/** {@code viewer} may show who the credential is, and nothing it owns or can reach. */
		void checkViewer(SelectionSet selections, Set<String> active) {
			List<Field> fields = new ArrayList<>();
			collect(selections, fields, active);
			for (Field field : fields) {
				if (!VIEWER_FIELDS.contains(field.getName())) {
					throw refused("field viewer." + field.getName(), this.advice);
				}
			}
		}

		ObjectNode arguments(List<Argument> arguments) {
			ObjectNode resolved = JsonNodeFactory.instance.objectNode();
			for (Argument argument : arguments) {
				resolved.set(argument.getName(), value(argument.getValue(), 0));
			}
			return resolved;
		}

		private JsonNode value(Value<?> value, int depth) {
			if (depth > MAX_DEPTH) {
				throw invalid("an argument is nested deeper than " + MAX_DEPTH + " levels");
			}
			JsonNodeFactory json = JsonNodeFactory.instance;
			if (value instanceof VariableReference reference) {
				JsonNode given = (this.variables != null) ? this.variables.get(reference.getName()) : null;
				if (given != null) {
					return given;
				}
				Value<?> fallback = this.defaults.get(reference.getName());
				return (fallback != null) ? value(fallback, depth + 1) : json.nullNode();
			}
			if (value instanceof StringValue text) {
				return json.stringNode(text.getValue());
			}
			if (value instanceof IntValue number) {
				return json.numberNode(number.getValue());
			}
			if (value instanceof FloatValue number) {
				return json.numberNode(number.getValue());
			}
			if (value instanceof BooleanValue bool) {
				return json.booleanNode(bool.isValue());
			}
			if (value instanceof EnumValue enumValue) {
				return json.stringNode(enumValue.getName());
			}
			if (value instanceof ArrayValue array) {
				ArrayNode list = json.arrayNode();
				for (Value<?> item : array.getValues()) {
					list.add(value(item, depth + 1));
				}
				return list;
			}
			if (value instanceof ObjectValue object) {
				ObjectNode node = json.objectNode();
				for (ObjectField field : object.getObjectFields()) {
					node.set(field.getName(), value(field.getValue(), depth + 1));
				}
				return node;
			}
			if (value instanceof NullValue) {
				return json.nullNode();
			}
			throw invalid("an argument value git-warden does not read");
		}

	}

}
