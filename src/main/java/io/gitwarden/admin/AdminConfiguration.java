package io.gitwarden.admin;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Records every admin API call ({@link AdminAudit}). Authentication is {@link AdminSecurity}'s. */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	WebMvcConfigurer adminAudit() {
		AdminAudit audit = new AdminAudit();
		return new WebMvcConfigurer() {

			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(audit).addPathPatterns("/admin/**");
			}

		};
	}

}
