export { main, notificationControllerNotice } from './main.ts';
export type { MainOptions } from './main.ts';
export { notificationControllerFlags, notificationControllerFeatureGates } from './flags.ts';
export { NotificationControllerName, createNotificationController } from './controller.ts';
export type { NotificationController, NotificationControllerConfig, NotificationControllerDeps } from './controller.ts';
export { buildEventServer } from './event-server/server.ts';
export type { EventServer, EventServerOptions } from './event-server/server.ts';
export { MessageTemplateAnnotation } from './event-server/message-template.ts';
