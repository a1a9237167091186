package io.gitwarden.alerts;

/** Which sessions raised a {@code session.suspicious} alert recently (on this instance), for the console. */
public interface SuspiciousSessions {

	/** Whether the session passed {@code warden.alerts.denials-threshold} within the last window. */
	boolean isSuspicious(String session);

}
