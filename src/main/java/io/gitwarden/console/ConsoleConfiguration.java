package io.gitwarden.console;

import java.io.PrintStream;

import io.gitwarden.admin.AdminProperties;
import io.gitwarden.audit.AuditChains;
import io.gitwarden.config.DeploymentMode;
import io.gitwarden.config.InvalidConfigurationException;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.servlet.CookieSameSiteSupplier;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The audit console, only when {@link ConsoleEnabled enabled}: its filter chain, its session cookie, the live
 * feed and the cached chain verification. Signing in takes the admin token; a console enabled without one is
 * refused at start-up, except in demo mode, which makes a random one and prints it.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(ConsoleEnabled.class)
class ConsoleConfiguration {

	@Bean
	ConsoleCredentials consoleCredentials(AdminProperties admin, Environment environment) {
		if (admin.token() != null) {
			return ConsoleCredentials.adminToken(admin.token());
		}
		if (DeploymentMode.isDemo(environment)) {
			return ConsoleCredentials.random();
		}
		throw new InvalidConfigurationException("warden.admin.token",
				"the console (warden.console.enabled=true) signs in with the admin token; set warden.admin.token, "
						+ "or set warden.console.enabled=false");
	}

	@Bean
	@Order(3)
	SecurityFilterChain consoleSecurityFilterChain(HttpSecurity http, ConsoleCredentials credentials) throws Exception {
		return ConsoleSecurity.filterChain(http, credentials);
	}

	/**
	 * The console's session cookie. Only the console creates HTTP sessions (the git routes and the admin API
	 * are stateless), so the servlet context's session cookie is the console's. Tomcat adds {@code Secure}
	 * itself when the request came over TLS (or through a trusted proxy that says so).
	 */
	@Bean
	ServletContextInitializer consoleSessionCookie() {
		return (servletContext) -> {
			servletContext.getSessionCookieConfig().setName(ConsoleSecurity.COOKIE);
			servletContext.getSessionCookieConfig().setHttpOnly(true);
			servletContext.getSessionCookieConfig().setPath("/console");
		};
	}

	@Bean
	CookieSameSiteSupplier consoleCookieSameSite() {
		return CookieSameSiteSupplier.ofStrict().whenHasName(ConsoleSecurity.COOKIE);
	}

	@Bean(destroyMethod = "close")
	ConsoleFeed consoleFeed(ConsoleProperties properties) {
		return new ConsoleFeed(properties.maxLiveClients());
	}

	@Bean(destroyMethod = "close")
	ChainStatus chainStatus(AuditChains chains) {
		return new ChainStatus(chains);
	}

	/** In demo mode without an admin token: says where the console is and how to sign in. */
	@Bean
	ApplicationListener<ApplicationReadyEvent> consoleDemoBanner(ConsoleCredentials credentials) {
		return (event) -> {
			if (!credentials.isGenerated()) {
				return;
			}
			int port = (event.getApplicationContext() instanceof WebServerApplicationContext web)
					? web.getWebServer().getPort() : 8080;
			PrintStream out = System.out;
			out.println("Audit console: http://localhost:" + port + "/console (sign in with "
					+ credentials.demoToken() + ", valid for this run only)");
			out.flush();
		};
	}

}
