package io.gitwarden.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GitRouteTests {

	@ParameterizedTest(name = "{0} {1}?{2}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			GET  | /acme/app.git/info/refs    | service=git-upload-pack  | acme/app | UPLOAD_PACK  | ADVERTISEMENT
			GET  | /acme/app/info/refs        | service=git-receive-pack | acme/app | RECEIVE_PACK | ADVERTISEMENT
			POST | /acme/app.git/git-upload-pack  | -                    | acme/app | UPLOAD_PACK  | RPC
			POST | /Acme/My.App_1-x.git/git-receive-pack | -            | Acme/My.App_1-x | RECEIVE_PACK | RPC
			GET  | /a/b/c.git/info/refs       | service=git-upload-pack  | a/b/c    | UPLOAD_PACK  | ADVERTISEMENT
			POST | /group/sub/sub2/project/git-upload-pack | -            | group/sub/sub2/project | UPLOAD_PACK | RPC
			""")
	void parsesSmartHttpEndpoints(String method, String path, String query, String repo, GitService service,
			GitRoute.Endpoint endpoint) {
		assertThat(GitRoute.parse(method, path, query, 8))
			.hasValue(new GitRoute(RepositoryId.parse(repo), service, endpoint));
	}

	@ParameterizedTest(name = "{0} {1}?{2}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			POST | /acme/app.git/info/refs       | service=git-upload-pack
			GET  | /acme/app.git/git-upload-pack | -
			GET  | /acme/app.git/info/refs       | -
			GET  | /acme/app.git/info/refs       | service=git-upload-archive
			GET  | /acme/app.git/info/refs       | service=git-upload-pack&x=1
			POST | /acme/app.git/git-upload-pack | x=1
			GET  | /acme/app.git/HEAD            | -
			GET  | /acme/app.git/objects/info/packs | -
			GET  | /acme/../app.git/info/refs    | service=git-upload-pack
			GET  | /../app.git/info/refs         | service=git-upload-pack
			GET  | /acme/..git/info/refs         | service=git-upload-pack
			GET  | /acme/..../info/refs          | service=git-upload-pack
			GET  | /acme%2Fapp.git/info/refs     | service=git-upload-pack
			GET  | /acme/app%2egit/info/refs     | service=git-upload-pack
			GET  | /a/b/c/d/e/f/g/h/i.git/info/refs | service=git-upload-pack
			GET  | /a//c.git/info/refs           | service=git-upload-pack
			GET  | /a/b.git/c/info/refs          | service=git-upload-pack
			GET  | /app.git/info/refs            | service=git-upload-pack
			GET  | /acme/app.git/info/refs/      | service=git-upload-pack
			GET  | //app.git/info/refs           | service=git-upload-pack
			GET  | /acme/app.git.git/info/refs   | service=git-upload-pack
			GET  | /acme/.git/info/refs          | service=git-upload-pack
			HEAD | /acme/app.git/info/refs       | service=git-upload-pack
			""")
	void refusesEverythingElse(String method, String path, String query) {
		// nine segments: one more than the default warden.upstream.max-path-depth
		assertThat(GitRoute.parse(method, path, query, 8)).isEmpty();
	}

}
