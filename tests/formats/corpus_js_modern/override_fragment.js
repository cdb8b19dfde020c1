// An override fragment as a customised deployment keeps it next to config.js (loaded after it).
var config;

config.customTheme = {
    ...config.customTheme,
    palette: {
        ...config.customTheme?.palette,
        ui01: '#123456',
    },
};
config.welcomePage = { ...config.welcomePage, disabled: false };
config.startWithVideoMuted = true;
config.channelLastN = 4;
config.toolbarButtons = [
    'camera',
    'chat',
    'hangup',
    'microphone',
];
config.prejoinConfig = { enabled: true, hideDisplayName: false, ...(config.prejoinConfig ?? {}) };
config.disableReactions = config.disableReactions ?? false;
config.hosts = {
    domain: 'meet.example.com',
    muc: 'conference.meet.example.com',
};
config.p2p ||= { enabled: false };
config.defaultLanguage = 'en';

var interfaceConfig;
interfaceConfig.APP_NAME = 'Example Meet';
