package io.gitwarden.admin;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts {@link AdminAuthentication} in front of every {@code /admin/**} handler. */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	WebMvcConfigurer adminAuthentication(AdminProperties properties) {
		AdminAuthentication authentication = new AdminAuthentication(properties);
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(authentication).addPathPatterns("/admin/**");
			}

		};
	}

}
