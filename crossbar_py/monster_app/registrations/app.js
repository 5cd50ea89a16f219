/* crossbar_py's "Registrations" Monster app: every device of the account with its registration state, and per
 * device the live contacts, diagnostics and journal (GET /devices/registration/status, /devices/{D}/registration,
 * /devices/{D}/logs). Monster loads it from the apps_store entry's source_url (docs/monster-ui.md). */
define(function(require) {
	var $ = require('jquery'),
		_ = require('lodash'),
		monster = require('monster');

	var app = {
		name: 'registrations',

		css: ['app'],

		i18n: {
			'en-US': { customCss: false }
		},

		requests: {
			'crossbarPy.registrations.status': {
				url: 'accounts/{accountId}/devices/registration/status?limit=1000',
				verb: 'GET'
			},
			'crossbarPy.registrations.device': {
				url: 'accounts/{accountId}/devices/{deviceId}/registration',
				verb: 'GET'
			},
			'crossbarPy.registrations.logs': {
				url: 'accounts/{accountId}/devices/{deviceId}/logs?lines=20',
				verb: 'GET'
			},
			'crossbarPy.registrations.renew': {
				url: 'accounts/{accountId}/devices/{deviceId}/registration/renew?wait=5',
				verb: 'POST'
			}
		},

		subscribe: {},

		load: function(callback) {
			var self = this;

			self.initApp(function() {
				callback && callback(self);
			});
		},

		initApp: function(callback) {
			var self = this;

			monster.pub('auth.initApp', {
				app: self,
				callback: callback
			});
		},

		render: function(container) {
			var self = this,
				parent = container || $('#monster_content');

			self.registrationsRequest('crossbarPy.registrations.status', {}, function(resp) {
				var template = $(self.getTemplate({
					name: 'app',
					data: {
						devices: resp.data,
						counts: resp.pagination
					}
				}));

				self.registrationsBindEvents(template, parent);
				parent.empty().append(template);
			});
		},

		registrationsRequest: function(resource, data, success) {
			var self = this;

			monster.request({
				resource: resource,
				data: _.merge({ accountId: self.accountId, data: {} }, data),
				success: success,
				error: function() {
					success({ data: [], pagination: {} });
				}
			});
		},

		registrationsBindEvents: function(template, parent) {
			var self = this;

			template.find('.refresh').on('click', function() {
				self.render(parent);
			});

			template.find('.device-row').on('click', function() {
				self.registrationsRenderDevice(template.find('.device-details'), $(this).data('id'));
			});
		},

		registrationsRenderDevice: function(target, deviceId) {
			var self = this;

			monster.parallel({
				registration: function(next) {
					self.registrationsRequest('crossbarPy.registrations.device', { deviceId: deviceId }, function(resp) {
						next(null, resp.data || {});
					});
				},
				logs: function(next) {
					self.registrationsRequest('crossbarPy.registrations.logs', { deviceId: deviceId }, function(resp) {
						next(null, resp.data || []);
					});
				}
			}, function(err, results) {
				var details = $(self.getTemplate({
					name: 'device',
					data: {
						registration: results.registration,
						diagnostics: _.map(results.registration.diagnostics || {}, function(value, key) {
							return { key: key, value: _.isObject(value) ? JSON.stringify(value) : value };
						}),
						logs: results.logs
					}
				}));

				details.find('.renew').on('click', function() {
					self.registrationsRequest('crossbarPy.registrations.renew', { deviceId: deviceId }, function() {
						self.registrationsRenderDevice(target, deviceId);
					});
				});

				target.empty().append(details);
			});
		}
	};

	return app;
});
